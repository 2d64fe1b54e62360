#include "holobroker/transport/address.hpp"

#include "holobroker/wire/address.hpp"

namespace holobroker::transport {

namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

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
  if (spec == "IPC" || spec == "ipc") {
    std::string dir = temp_dir.empty() ? wire::default_temp_dir() : std::string{temp_dir};
    if (wire::ipc_socket_name(server_id).empty())
      return bad(spec, "the server id has no characters usable in a socket file name");
    return server_endpoints{wire::ipc_request_address(dir, server_id),
                            wire::ipc_event_address(dir, server_id)};
  }
  if (spec == "INPROC" || spec == "inproc")
    return server_endpoints{wire::inproc_request_address(server_id),
                            wire::inproc_event_address(server_id)};
  if (starts_with(spec, "ipc://")) {
    auto path = spec.substr(6);
    if (path.empty())
      return bad(spec, "no path after ipc://");
    std::string events{spec};
    constexpr std::string_view suffix = ".ipc";
    if (events.size() > suffix.size() + 6
        && std::string_view{events}.substr(events.size() - suffix.size()) == suffix)
      events.resize(events.size() - suffix.size());
    events += ".event-publisher.ipc";
    return server_endpoints{std::string{spec}, std::move(events)};
  }
  if (starts_with(spec, "tcp://")) {
    auto events = wire::tcp_event_address(spec);
    if (events.empty())
      return bad(spec, "expected tcp://HOST:PORT with a numeric port below 65535");
    return server_endpoints{std::string{spec}, std::move(events)};
  }
  if (starts_with(spec, "inproc://")) {
    if (spec.size() == 9)
      return bad(spec, "no name after inproc://");
    return server_endpoints{std::string{spec}, std::string{spec} + "/event-publisher"};
  }
  return bad(spec, "expected IPC, ipc://PATH, tcp://HOST:PORT, INPROC or inproc://NAME");
}

} // namespace holobroker::transport
