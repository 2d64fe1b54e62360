#include "holobroker/broker/type_ids.hpp"

#include "holobroker/client/type_ids.hpp"

namespace holobroker::broker {

void add_message_types(caf::actor_system_config& cfg) {
  client::add_message_types(cfg);
}

} // namespace holobroker::broker
