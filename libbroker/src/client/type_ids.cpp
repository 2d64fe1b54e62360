#include "holobroker/client/type_ids.hpp"

#include "holobroker/client/error.hpp"

namespace holobroker::client {

void add_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::holobroker_client>();
  cfg.add_error_category(error_category,
                         [](uint8_t code, caf::atom_value, const caf::message& ctx) {
                           return describe(caf::error{code, error_category, ctx});
                         });
}

} // namespace holobroker::client
