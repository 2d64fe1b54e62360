#include "holobroker/wire/address.hpp"

#include <charconv>
#include <cstdlib>

namespace holobroker::wire {

std::string default_temp_dir() {
  const char* home = std::getenv("HOME");
  std::string dir = home && *home ? home : "/tmp";
  dir += "/.hololinked";
  return dir;
}

std::string ipc_socket_name(std::string_view server_id) {
  std::string out;
  out.reserve(server_id.size());
  for (char c : server_id) {
    auto u = static_cast<unsigned char>(c);
    bool bad = u < 0x20 || u == 0x7F || std::string_view{"<>:\"/\\|?*"}.find(c)
                                          != std::string_view::npos;
    char next = bad ? '_' : c;
    if (next == '_' && !out.empty() && out.back() == '_')
      continue;
    out += next;
  }
  auto first = out.find_first_not_of('_');
  if (first == std::string::npos)
    return {};
  auto last = out.find_last_not_of('_');
  return out.substr(first, last - first + 1);
}

namespace {

/// `ipc://<temp_dir>/sockets/<name><suffix>`.
std::string ipc_address(std::string_view temp_dir, std::string_view server_id,
                        std::string_view suffix) {
  std::string out{"ipc://"};
  out += temp_dir;
  out += "/sockets/";
  out += ipc_socket_name(server_id);
  out += suffix;
  return out;
}

} // namespace

std::string ipc_request_address(std::string_view temp_dir, std::string_view server_id) {
  return ipc_address(temp_dir, server_id, ".ipc");
}

std::string ipc_event_address(std::string_view temp_dir, std::string_view server_id) {
  return ipc_address(temp_dir, server_id, ".event-publisher.ipc");
}

std::optional<tcp_address> parse_tcp_address(std::string_view text) {
  constexpr std::string_view scheme = "tcp://";
  if (text.substr(0, scheme.size()) != scheme)
    return std::nullopt;
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon <= scheme.size())
    return std::nullopt; // no port, or no host
  auto digits = text.substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (digits.empty() || ec != std::errc{} || ptr != digits.data() + digits.size() || port > 65535)
    return std::nullopt;
  return tcp_address{text.substr(scheme.size(), colon - scheme.size()), port};
}

expected<address_kind, std::string> parse_address(std::string_view spec) {
  auto starts = [&](std::string_view prefix) { return spec.substr(0, prefix.size()) == prefix; };
  if (spec == "IPC" || spec == "ipc")
    return address_kind::ipc;
  if (spec == "INPROC" || spec == "inproc")
    return address_kind::inproc;
  if (starts("ipc://")) {
    if (spec.size() == 6)
      return unexpected<std::string>{"no path after ipc://"};
    return address_kind::ipc_path;
  }
  if (starts("tcp://")) {
    auto tcp = parse_tcp_address(spec);
    // The event publisher of a server listens on PORT + 1 (golden README §3).
    if (!tcp || tcp->port == 0 || tcp->port >= 65535)
      return unexpected<std::string>{
        "expected tcp://HOST:PORT with a port from 1 to 65534 (events use PORT + 1)"};
    return address_kind::tcp;
  }
  if (starts("inproc://")) {
    if (spec.size() == 9)
      return unexpected<std::string>{"no name after inproc://"};
    return address_kind::inproc_name;
  }
  return unexpected<std::string>{
    "expected IPC, ipc://PATH, tcp://HOST:PORT, INPROC or inproc://NAME"};
}

std::string tcp_event_address(std::string_view request_address) {
  auto tcp = parse_tcp_address(request_address);
  if (!tcp || tcp->port == 0 || tcp->port >= 65535)
    return {};
  auto colon = request_address.rfind(':');
  std::string out{request_address.substr(0, colon + 1)};
  out += std::to_string(tcp->port + 1);
  return out;
}

std::string inproc_request_address(std::string_view server_id) {
  return "inproc://" + std::string{server_id};
}

std::string inproc_event_address(std::string_view server_id) {
  return "inproc://" + std::string{server_id} + "/event-publisher";
}

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
  auto kind = parse_address(spec);
  if (!kind)
    return bad(spec, kind.error());
  switch (*kind) {
    case address_kind::ipc: {
      std::string dir = temp_dir.empty() ? default_temp_dir() : std::string{temp_dir};
      if (ipc_socket_name(server_id).empty())
        return bad(spec, "the server id has no characters usable in a socket file name");
      return server_endpoints{ipc_request_address(dir, server_id),
                              ipc_event_address(dir, server_id)};
    }
    case address_kind::inproc:
      return server_endpoints{inproc_request_address(server_id),
                              inproc_event_address(server_id)};
    case address_kind::ipc_path: {
      std::string events{spec};
      constexpr std::string_view suffix = ".ipc";
      if (events.size() > suffix.size() + 6
          && std::string_view{events}.substr(events.size() - suffix.size()) == suffix)
        events.resize(events.size() - suffix.size());
      events += ".event-publisher.ipc";
      return server_endpoints{std::string{spec}, std::move(events)};
    }
    case address_kind::tcp: {
      auto events = tcp_event_address(spec);
      if (events.empty()) // parse_address excludes this; kept as a guard
        return bad(spec, "no port above it for the events (PORT + 1)");
      return server_endpoints{std::string{spec}, std::move(events)};
    }
    case address_kind::inproc_name:
      return server_endpoints{std::string{spec}, std::string{spec} + "/event-publisher"};
  }
  return bad(spec, "unknown address kind");
}

} // namespace holobroker::wire
