#include "holobroker/config/shared_connection.hpp"

#include "holobroker/wire/address.hpp"

namespace holobroker::config {

expected<std::string, std::string> shared_connection_key(const thing_config& thing,
                                                         std::string_view temp_dir) {
  auto ep = wire::resolve_endpoints(thing.address, thing.server_id, temp_dir);
  if (!ep)
    return unexpected<std::string>{ep.error()};
  return thing.server_id + '\n' + ep->request_address + '\n' + thing.client_id;
}

std::optional<std::string_view> connection_setting_mismatch(const thing_config& a,
                                                            const thing_config& b) {
  if (a.handshake_timeout != b.handshake_timeout)
    return "handshake_timeout";
  if (a.while_disconnected != b.while_disconnected)
    return "while_disconnected";
  return std::nullopt;
}

} // namespace holobroker::config
