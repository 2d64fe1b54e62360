#include "holobroker/transport/address.hpp"

#include "holobroker/wire/address.hpp"

namespace holobroker::transport {

namespace {

unexpected<std::string> bad(std::string_view spec, std::string_view why) {
  std::string msg{"invalid server address \""};
  msg += spec;
  msg += "\": ";
  msg += why;
  return unexpected<std::string>{std::move(msg)};
}

} // namespace

expected<server_endpoints, std::string>
resolve_endpoints(std::string_view spec, std::string_view server_id, std::string_view temp_dir) {
  if (server_id.empty())
    return bad(spec, "the server id is empty");
  auto kind = wire::parse_address(spec);
  if (!kind)
    return bad(spec, kind.error());
  switch (*kind) {
    case wire::address_kind::ipc: {
      std::string dir = temp_dir.empty() ? wire::default_temp_dir() : std::string{temp_dir};
      if (wire::ipc_socket_name(server_id).empty())
        return bad(spec, "the server id has no characters usable in a socket file name");
      return server_endpoints{wire::ipc_request_address(dir, server_id),
                              wire::ipc_event_address(dir, server_id)};
    }
    case wire::address_kind::inproc:
      return server_endpoints{wire::inproc_request_address(server_id),
                              wire::inproc_event_address(server_id)};
    case wire::address_kind::ipc_path: {
      std::string events{spec};
      constexpr std::string_view suffix = ".ipc";
      if (events.size() > suffix.size() + 6
          && std::string_view{events}.substr(events.size() - suffix.size()) == suffix)
        events.resize(events.size() - suffix.size());
      events += ".event-publisher.ipc";
      return server_endpoints{std::string{spec}, std::move(events)};
    }
    case wire::address_kind::tcp: {
      auto events = wire::tcp_event_address(spec);
      if (events.empty()) // parse_address excludes this; kept as a guard
        return bad(spec, "no port above it for the events (PORT + 1)");
      return server_endpoints{std::string{spec}, std::move(events)};
    }
    case wire::address_kind::inproc_name:
      return server_endpoints{std::string{spec}, std::string{spec} + "/event-publisher"};
  }
  return bad(spec, "unknown address kind");
}

} // namespace holobroker::transport
