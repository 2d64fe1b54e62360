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

std::string ipc_request_address(std::string_view temp_dir, std::string_view server_id) {
  std::string out{"ipc://"};
  out += temp_dir;
  out += "/sockets/";
  out += ipc_socket_name(server_id);
  out += ".ipc";
  return out;
}

std::string ipc_event_address(std::string_view temp_dir, std::string_view server_id) {
  std::string out{"ipc://"};
  out += temp_dir;
  out += "/sockets/";
  out += ipc_socket_name(server_id);
  out += ".event-publisher.ipc";
  return out;
}

std::string tcp_event_address(std::string_view request_address) {
  if (request_address.substr(0, 6) != "tcp://")
    return {};
  auto colon = request_address.rfind(':');
  if (colon == std::string_view::npos || colon < 6)
    return {};
  auto port_text = request_address.substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || port == 0
      || port >= 65535)
    return {};
  std::string out{request_address.substr(0, colon + 1)};
  out += std::to_string(port + 1);
  return out;
}

std::string inproc_request_address(std::string_view server_id) {
  return "inproc://" + std::string{server_id};
}

std::string inproc_event_address(std::string_view server_id) {
  return "inproc://" + std::string{server_id} + "/event-publisher";
}

} // namespace holobroker::wire
