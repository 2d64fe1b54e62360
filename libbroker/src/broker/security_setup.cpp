#include "holobroker/broker/security_setup.hpp"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "holobroker/security/curve_keys.hpp"
#include "holobroker/wire/address.hpp"

namespace holobroker::broker {

std::string curve_event_address_of(const config::security_config& sec) {
  if (!sec.curve_event_tcp.empty() || sec.curve_tcp.empty())
    return sec.curve_event_tcp;
  // Port + 1 as hololinked does; with port 0 the events get any free port too.
  if (sec.curve_tcp.substr(sec.curve_tcp.rfind(':') + 1) == "0")
    return sec.curve_tcp;
  return wire::tcp_event_address(sec.curve_tcp);
}

expected<security::zap_settings, std::string> zap_settings_of(const config::broker_config& cfg) {
  const auto& sec = cfg.security;
  security::zap_settings s;
  s.tcp_allow = sec.tcp_allow;
  s.tcp_deny = sec.tcp_deny;
  s.rules = sec.policy;
  for (const auto& t : cfg.things)
    s.things.push_back(t.thing_id);
  if (!sec.curve_client_keys.empty()) {
    auto keys = security::read_client_keys(sec.curve_client_keys);
    if (!keys)
      return unexpected<std::string>{"security.curve.client_keys: " + keys.error()};
    s.curve_clients = std::move(*keys);
  }
  return s;
}

expected<frontend_options, std::string> frontend_options_of(const config::broker_config& cfg) {
  const auto& sec = cfg.security;
  frontend_options o;
  o.max_message_size = cfg.limits.max_message_size;
  o.send_queue = cfg.limits.send_queue;
  if (!sec.enabled)
    return o;
  o.zap_domain = security::frontend_domain;
  o.ipc_mode = sec.ipc_mode;
  if (!sec.ipc_group.empty()) {
    std::vector<char> buf(16384);
    group gr{};
    group* found = nullptr;
    if (::getgrnam_r(sec.ipc_group.c_str(), &gr, buf.data(), buf.size(), &found) != 0 || !found)
      return unexpected<std::string>{"security.ipc.group: no such group \"" + sec.ipc_group
                                     + "\""};
    o.ipc_gid = static_cast<long>(gr.gr_gid);
  }
  if (!sec.curve_tcp.empty()) {
    auto keys = security::read_key_file(sec.curve_server_key, true);
    if (!keys)
      return unexpected<std::string>{"security.curve.server_key: " + keys.error()};
    o.curve_address = sec.curve_tcp;
    o.curve_secret_key = keys->secret_key;
    o.curve_event_address = curve_event_address_of(sec);
  }
  return o;
}

expected<bool, std::string> check_socket_directory(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT)
      return true; // created by the bind, with this process's ownership
    return unexpected<std::string>{fmt::format("{}: {}", dir, std::strerror(errno))};
  }
  if (st.st_uid != ::geteuid() && st.st_uid != 0)
    return unexpected<std::string>{fmt::format(
      "the socket directory {} belongs to uid {}, not to this service (uid {}) or root", dir,
      st.st_uid, ::geteuid())};
  if ((st.st_mode & S_IWOTH) != 0 && (st.st_mode & S_ISVTX) == 0)
    return unexpected<std::string>{fmt::format(
      "the socket directory {} is writable by everyone (mode {:04o})", dir, st.st_mode & 07777)};
  return true;
}

} // namespace holobroker::broker
