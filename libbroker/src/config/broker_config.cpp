#include "holobroker/config/broker_config.hpp"
#include "holobroker/config/shared_connection.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "holobroker/wire/address.hpp"
#include "security_section.hpp"
#include "strict_yaml.hpp"

namespace holobroker::config {

seconds thing_config::effective_deadline() const {
  if (deadline)
    return *deadline;
  return invokation_timeout + execution_timeout + deadline_margin;
}

const thing_config* broker_config::find_thing(std::string_view thing_id) const {
  for (const auto& t : things)
    if (t.thing_id == thing_id)
      return &t;
  return nullptr;
}

std::function<void(const std::string&, int, int)> config_source::recorder() {
  return [this](const std::string& key, int line, int column) {
    keys.insert_or_assign(key, source_mark{line, column});
  };
}

const source_mark* config_source::find(std::string_view key) const {
  auto it = keys.find(key);
  return it == keys.end() ? nullptr : &it->second;
}

std::string config_source::nearest(std::string_view key) const {
  while (!key.empty()) {
    if (find(key) != nullptr)
      return std::string{key};
    // Up one level: `a.b[2].c` -> `a.b[2]` -> `a.b` -> `a`.
    auto cut = key.find_last_of(".[");
    key = key.substr(0, cut == std::string_view::npos ? 0 : cut);
  }
  return {};
}

std::string config_error::to_string() const {
  return yaml::located_error{file, line, column, key, message}.to_string();
}

std::optional<seconds> parse_duration(std::string_view text) {
  while (!text.empty() && text.back() == ' ')
    text.remove_suffix(1);
  double scale = 1.0;
  auto ends_with = [&](std::string_view suffix) {
    return text.size() > suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
  };
  if (ends_with("ms")) {
    scale = 1e-3;
    text.remove_suffix(2);
  } else if (ends_with("s")) {
    text.remove_suffix(1);
  } else if (ends_with("m")) {
    scale = 60.0;
    text.remove_suffix(1);
  }
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()
      || !std::isfinite(value) || value < 0)
    return std::nullopt;
  return seconds{value * scale};
}

namespace {

/// The daemon's reader: the shared strict style (strict_yaml.hpp) and the
/// daemon's own value kinds (durations, addresses, listeners).
class config_reader : public yaml::strict_reader {
public:
  /// Notes the position of every key it checks in `source` (not owned):
  /// every section of the daemon's file passes check_keys before it is read.
  config_reader(std::string_view file, config_source& source)
    : strict_reader(file), source_(&source) {
    source_->file = std::string{file};
    observe_keys(source_->recorder());
  }

  // "[HOST:]PORT" (HOST may be [v6]); `host` keeps its default without one.
  void host_port(const YAML::Node& v, const std::string& key, std::string& host_out,
                 std::uint16_t& port_out, bool host_required = false) const {
    auto text = string(v, key);
    auto colon = text.rfind(':');
    std::string host = colon == std::string::npos ? std::string{} : text.substr(0, colon);
    std::string port = colon == std::string::npos ? text : text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2); // [::1]:9464
    std::uint64_t value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc{} || ptr != port.data() + port.size() || value > 65535)
      fail(v, key,
           host_required ? "must be HOST:PORT with PORT from 1 to 65535 (e.g. 10.0.0.2:4300)"
                         : "must be [HOST:]PORT with PORT from 0 to 65535 (e.g. 127.0.0.1:9464)");
    if (colon != std::string::npos && host.empty())
      fail(v, key, "names no host before ':' (leave out ':' for loopback)");
    if (host_required && (host.empty() || value == 0))
      fail(v, key, "must be HOST:PORT with PORT from 1 to 65535 (e.g. 10.0.0.2:4300)");
    if (!host.empty())
      host_out = host;
    port_out = static_cast<std::uint16_t>(value);
  }

  // broker.http: {listen: "[HOST:]PORT"}; HOST defaults to loopback.
  void read_http(const YAML::Node& h, http_config& out) const {
    check_keys(h, "broker.http", {"listen"});
    auto v = h["listen"];
    if (!v)
      fail(h, "broker.http.listen", "missing (e.g. listen: 127.0.0.1:9464)");
    host_port(v, "broker.http.listen", out.host, out.port);
    out.enabled = true;
  }

  // A file the daemon must read at start (certificates and keys).
  std::string readable_file(const YAML::Node& node, const std::string& key) const {
    auto path = string(node, key);
    if (path.empty() || !std::ifstream{path})
      fail(node, key, fmt::format("cannot read \"{}\"", path));
    return path;
  }

  // broker.federation: {listen, tls: {certificate, key, ca} | plain: true,
  // reconnect: {min, max}, ping_interval, deadline_margin}.
  void read_federation(const YAML::Node& f, federation_config& out) const {
    const std::string path = "broker.federation";
    check_keys(f, path, {"listen", "tls", "plain", "reconnect", "ping_interval",
                         "deadline_margin"});
    out.enabled = true;
    if (auto v = f["listen"])
      host_port(v, path + ".listen", out.host, out.port);
    if (auto v = f["plain"])
      out.plain = boolean(v, path + ".plain");
    if (auto t = f["tls"]) {
      check_keys(t, path + ".tls", {"certificate", "key", "ca"});
      for (const char* k : {"certificate", "key", "ca"})
        if (!t[k])
          fail(t, path + ".tls." + k,
               "missing (tls needs this broker's certificate and key and the peers' CA)");
      out.certificate = readable_file(t["certificate"], path + ".tls.certificate");
      out.key = readable_file(t["key"], path + ".tls.key");
      out.ca = readable_file(t["ca"], path + ".tls.ca");
      if (out.plain)
        fail(f["plain"], path + ".plain", "cannot be true together with tls");
    } else if (!out.plain) {
      // Deny by default: peers are identified by certificate unless the
      // operator says in so many words that the network is trusted.
      fail(f, path, "needs tls: {certificate, key, ca} (or plain: true on a trusted network)");
    }
    if (auto r = f["reconnect"]) {
      check_keys(r, path + ".reconnect", {"min", "max"});
      if (auto v = r["min"])
        out.reconnect_min = duration(v, path + ".reconnect.min");
      if (auto v = r["max"])
        out.reconnect_max = duration(v, path + ".reconnect.max");
      if (out.reconnect_min.count() <= 0 || out.reconnect_max < out.reconnect_min)
        fail(r, path + ".reconnect", "needs 0 < min <= max");
    }
    if (auto v = f["ping_interval"]) {
      out.ping_interval = duration(v, path + ".ping_interval");
      if (out.ping_interval.count() <= 0)
        fail(v, path + ".ping_interval", "must be more than 0");
    }
    if (auto v = f["deadline_margin"])
      out.deadline_margin = duration(v, path + ".deadline_margin");
  }

  // broker.peers: ["HOST:PORT" | {host, port}, ...]
  void read_peers(const YAML::Node& list, federation_config& out) const {
    if (!list.IsSequence())
      fail(list, "broker.peers", "must be a list of peer brokers (HOST:PORT or {host, port})");
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto node = list[i];
      auto key = fmt::format("broker.peers[{}]", i);
      peer_config peer;
      if (node.IsMap()) {
        check_keys(node, key, {"host", "port"});
        if (!node["host"] || !node["port"])
          fail(node, key, "needs host and port");
        peer.host = string(node["host"], key + ".host");
        if (peer.host.empty())
          fail(node["host"], key + ".host", "must not be empty");
        peer.port = static_cast<std::uint16_t>(unsigned_int(node["port"], key + ".port", 1, 65535));
      } else {
        host_port(node, key, peer.host, peer.port, true);
      }
      for (const auto& other : out.peers)
        if (other == peer)
          fail(node, key, fmt::format("peer {} is listed twice", peer.address()));
      out.peers.push_back(std::move(peer));
    }
  }

  seconds duration(const YAML::Node& node, const std::string& key) const {
    auto value = node.IsScalar() ? parse_duration(node.Scalar()) : std::nullopt;
    if (!value)
      fail(node, key, "must be a duration: seconds (2.5) or with a unit (500ms, 5s, 1m)");
    return *value;
  }

  // The transport's own grammar (wire::parse_address): what the config
  // accepts is what the daemon can connect to, INPROC included.
  std::string address(const YAML::Node& node, const std::string& key) const {
    auto text = string(node, key);
    if (auto kind = wire::parse_address(text); !kind)
      fail(node, key, fmt::format("\"{}\" is not an address: {}", text, kind.error()));
    return text;
  }

  // A listener's address (port 0: any free port).
  std::string tcp_address(const YAML::Node& node, const std::string& key) const {
    auto text = string(node, key);
    if (!wire::parse_tcp_address(text))
      fail(node, key, fmt::format("\"{}\" is not tcp://HOST:PORT", text));
    return text;
  }

  // `{ipc: bool, tcp: tcp://HOST:PORT}` of the front end or event publisher.
  void read_listeners(const YAML::Node& node, const std::string& path, bool& ipc,
                      std::string& tcp) const {
    check_keys(node, path, {"ipc", "tcp"});
    if (auto v = node["ipc"])
      ipc = boolean(v, join(path, "ipc"));
    if (auto v = node["tcp"])
      tcp = tcp_address(v, join(path, "tcp"));
  }

  void read_thing_defaults(const YAML::Node& node, const std::string& path,
                           thing_config& t) const {
    if (auto v = node["handshake_timeout"])
      t.handshake_timeout = duration(v, join(path, "handshake_timeout"));
    if (auto v = node["invokation_timeout"])
      t.invokation_timeout = duration(v, join(path, "invokation_timeout"));
    if (auto v = node["execution_timeout"])
      t.execution_timeout = duration(v, join(path, "execution_timeout"));
    if (auto v = node["deadline"])
      t.deadline = duration(v, join(path, "deadline"));
    if (auto v = node["deadline_margin"])
      t.deadline_margin = duration(v, join(path, "deadline_margin"));
    if (auto v = node["max_in_flight"])
      t.max_in_flight = static_cast<std::uint32_t>(
        unsigned_int(v, join(path, "max_in_flight"), 1, 1'000'000));
    if (auto v = node["on_disconnect"])
      t.on_disconnect = choice<on_disconnect_policy>(v, join(path, "on_disconnect"),
                               {{"fail", on_disconnect_policy::fail},
                                {"retry_idempotent", on_disconnect_policy::retry_idempotent}});
    if (auto v = node["while_disconnected"])
      t.while_disconnected = choice<while_disconnected_policy>(v, join(path, "while_disconnected"),
                                    {{"wait", while_disconnected_policy::wait},
                                     {"fail_fast", while_disconnected_policy::fail_fast}});
    if (auto v = node["last_value"])
      read_last_value(v, join(path, "last_value"), t);
  }

  // `last_value: true | false | [event names]`.
  void read_last_value(const YAML::Node& node, const std::string& key, thing_config& t) const {
    t.last_value_events.clear();
    if (node.IsSequence()) {
      t.last_value_all = false;
      for (std::size_t j = 0; j < node.size(); ++j) {
        auto name = string(node[j], fmt::format("{}[{}]", key, j));
        if (name.empty())
          fail(node[j], fmt::format("{}[{}]", key, j), "must be an event name, not empty");
        t.last_value_events.push_back(std::move(name));
      }
      return;
    }
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value))
      fail(node, key, "must be true, false or a list of event names");
    t.last_value_all = value;
  }

  inline static const std::vector<std::string_view> default_keys
    = {"handshake_timeout", "invokation_timeout", "execution_timeout", "deadline",
       "deadline_margin",   "max_in_flight",      "on_disconnect",     "while_disconnected",
       "last_value"};

  broker_config read(const YAML::Node& root) const {
    broker_config cfg;
    if (!root.IsDefined() || root.IsNull())
      fail(root, "", "the configuration is empty");
    check_keys(root, "", {"broker", "defaults", "things", "security", "limits"});
    if (auto s = root["security"])
      cfg.security = detail::read_security(s, file(), *source_);
    if (auto l = root["limits"])
      cfg.limits = detail::read_limits(l, file(), *source_);

    if (auto b = root["broker"]) {
      check_keys(b, "broker",
                 {"id", "temp_dir", "frontend", "events", "middleman", "drain_grace", "logging",
                  "http", "federation", "peers"});
      if (auto v = b["id"]) {
        cfg.id = string(v, "broker.id");
        if (cfg.id.empty() || cfg.id.size() > 255)
          fail(v, "broker.id", "must be 1 to 255 characters");
      }
      if (auto v = b["temp_dir"])
        cfg.temp_dir = string(v, "broker.temp_dir");
      if (auto f = b["frontend"])
        read_listeners(f, "broker.frontend", cfg.frontend_ipc, cfg.frontend_tcp);
      if (auto e = b["events"])
        read_listeners(e, "broker.events", cfg.events_ipc, cfg.events_tcp);
      if (auto m = b["middleman"]) {
        check_keys(m, "broker.middleman", {"port", "host"});
        if (auto v = m["port"])
          cfg.middleman_port
            = static_cast<std::uint16_t>(unsigned_int(v, "broker.middleman.port", 0, 65535));
        if (auto v = m["host"])
          cfg.middleman_host = string(v, "broker.middleman.host");
      }
      if (auto v = b["drain_grace"])
        cfg.drain_grace = duration(v, "broker.drain_grace");
      if (auto h = b["http"])
        read_http(h, cfg.http);
      if (auto f = b["federation"])
        read_federation(f, cfg.federation);
      if (auto p = b["peers"]) {
        if (!cfg.federation.enabled)
          fail(p, "broker.peers",
               "needs broker.federation (how peers connect: tls or plain: true)");
        read_peers(p, cfg.federation);
      }
      if (auto l = b["logging"]) {
        check_keys(l, "broker.logging", {"level", "file", "max_size_mb", "max_files"});
        if (auto v = l["level"]) {
          cfg.logging.level = string(v, "broker.logging.level");
          static const std::set<std::string> levels{"trace", "debug", "info",    "warn",
                                                    "error", "critical", "off"};
          if (!levels.count(cfg.logging.level))
            fail(v, "broker.logging.level",
                 "must be one of trace, debug, info, warn, error, critical, off");
        }
        if (auto v = l["file"])
          cfg.logging.file = string(v, "broker.logging.file");
        if (auto v = l["max_size_mb"])
          cfg.logging.max_size_mb = static_cast<std::uint32_t>(
            unsigned_int(v, "broker.logging.max_size_mb", 1, 100'000));
        if (auto v = l["max_files"])
          cfg.logging.max_files
            = static_cast<std::uint32_t>(unsigned_int(v, "broker.logging.max_files", 1, 1000));
      }
    }

    thing_config defaults;
    if (auto d = root["defaults"]) {
      check_keys(d, "defaults", default_keys);
      read_thing_defaults(d, "defaults", defaults);
    }

    if (auto list = root["things"]) {
      if (!list.IsSequence())
        fail(list, "things", "must be a list of Thing connections");
      std::set<std::string> ids;
      std::map<std::string, std::size_t> connections; ///< connection -> first Thing's index
      for (std::size_t i = 0; i < list.size(); ++i) {
        auto node = list[i];
        auto path = fmt::format("things[{}]", i);
        static const auto keys = [] {
          std::vector<std::string_view> k{"id",        "server_id", "address",
                                          "event_address", "client_id", "events"};
          k.insert(k.end(), default_keys.begin(), default_keys.end());
          return k;
        }();
        check_keys(node, path, keys);
        thing_config t = defaults;
        if (!node["id"])
          fail(node, path, "has no \"id\" (the Thing's id)");
        t.thing_id = string(node["id"], path + ".id");
        if (t.thing_id.empty())
          fail(node["id"], path + ".id", "must not be empty");
        if (!ids.insert(t.thing_id).second)
          fail(node["id"], path + ".id",
               fmt::format("Thing \"{}\" is configured twice", t.thing_id));
        t.server_id = node["server_id"] ? string(node["server_id"], path + ".server_id")
                                        : t.thing_id;
        if (t.server_id.empty() || t.server_id.size() > 255)
          fail(node["server_id"], path + ".server_id", "must be 1 to 255 characters");
        t.address = node["address"] ? address(node["address"], path + ".address") : "IPC";
        if (auto v = node["event_address"])
          t.event_address = address(v, path + ".event_address");
        // Things of one server share one connection (one ROUTER identity).
        t.client_id = node["client_id"] ? string(node["client_id"], path + ".client_id")
                                        : "holobroker|" + cfg.id + "|" + t.server_id;
        if (t.client_id.empty() || t.client_id.size() > 255 || t.client_id[0] == '\0')
          fail(node["client_id"], path + ".client_id",
               "must be 1 to 255 bytes and not start with a NUL byte");
        if (auto ev = node["events"]) {
          if (!ev.IsSequence())
            fail(ev, path + ".events", "must be a list of event names");
          for (std::size_t j = 0; j < ev.size(); ++j)
            t.events.push_back(string(ev[j], fmt::format("{}.events[{}]", path, j)));
        }
        read_thing_defaults(node, path, t);
        check_shared_connection(node, path, t, cfg, connections);
        cfg.things.push_back(std::move(t));
      }
    }
    return cfg;
  }

private:
  config_source* source_;

  /// Things of one connection (shared_connection.hpp) must agree on what
  /// the connection itself does.
  void check_shared_connection(const YAML::Node& node, const std::string& path,
                               const thing_config& t, const broker_config& cfg,
                               std::map<std::string, std::size_t>& connections) const {
    auto key = shared_connection_key(t, cfg.temp_dir);
    if (!key) // the address was checked above: unreachable, kept as a guard
      fail(node["address"] ? node["address"] : node, path + ".address", key.error());
    auto inserted = connections.emplace(*key, cfg.things.size());
    if (inserted.second)
      return;
    auto index = inserted.first->second;
    const auto& other = cfg.things[index];
    if (auto name = connection_setting_mismatch(t, other)) {
      auto key_name = std::string{*name};
      fail(node[key_name] ? node[key_name] : node, path + "." + key_name,
           fmt::format("Thing \"{}\" shares server \"{}\"'s connection with Thing \"{}\" "
                       "(things[{}]) and must have the same {} (or a client_id of its own)",
                       t.thing_id, t.server_id, other.thing_id, index, key_name));
    }
  }
};

config_error to_config_error(yaml::located_error err) {
  return {std::move(err.file), err.line, err.column, std::move(err.key), std::move(err.message)};
}

} // namespace

config_result parse_config(std::string_view yaml, std::string_view file) {
  config_source source;
  config_reader reader{file, source};
  try {
    auto cfg = reader.read(reader.load(yaml));
    cfg.source = std::move(source);
    return cfg;
  } catch (yaml::located_error& error) { // the security and limits sections' too
    return unexpected{to_config_error(std::move(error))};
  }
}

config_result load_config(const std::string& path) {
  std::ifstream in{path};
  if (!in) {
    config_error err;
    err.file = path;
    err.message = "cannot read the file";
    return unexpected{std::move(err)};
  }
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_config(buf.str(), path);
}

} // namespace holobroker::config
