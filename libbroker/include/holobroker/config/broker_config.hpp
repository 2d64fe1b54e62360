#pragma once

// The daemon's YAML configuration: the broker itself (id, front end, event
// fan-in, logging, service behaviour) and its fleet of Thing connections.
// Every key is documented in config/holobroker.example.yaml.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "holobroker/config/security_config.hpp"
#include "holobroker/expected.hpp"

namespace holobroker::config {

using seconds = std::chrono::duration<double>;

/// What happens to requests in flight when the server disconnects.
enum class on_disconnect_policy {
  fail,             ///< fail them at once with `disconnected`
  retry_idempotent, ///< retry reads once after reconnect; fail the rest
};

/// What happens to new requests while the server is disconnected.
enum class while_disconnected_policy {
  wait,      ///< wait for reconnection up to the request's deadline
  fail_fast, ///< fail at once with `disconnected`
};

/// One Thing connection of the fleet.
struct thing_config {
  std::string thing_id;
  std::string server_id;
  /// `IPC` (hololinked's path convention from server_id), `ipc://PATH`,
  /// `tcp://HOST:PORT` or `inproc://NAME`.
  std::string address;
  /// Event publisher address; derived from `address` when empty.
  std::string event_address;
  /// ROUTER identity; defaults to `holobroker|<broker id>|<thing id>`.
  std::string client_id;
  seconds handshake_timeout{60.0};
  seconds invokation_timeout{5.0};
  seconds execution_timeout{5.0};
  /// Client-side deadline; when unset, invokation + execution + margin.
  std::optional<seconds> deadline;
  seconds deadline_margin{1.0};
  std::uint32_t max_in_flight = 256;
  on_disconnect_policy on_disconnect = on_disconnect_policy::fail;
  while_disconnected_policy while_disconnected = while_disconnected_policy::wait;
  /// Event names to subscribe upstream from the start (more on demand).
  std::vector<std::string> events;
  /// `last_value:` whose last event a new subscriber gets at once: every
  /// event (`true`), none (`false`, the default: like a direct connection),
  /// or the listed event names (a property's is `<property>_change_event`).
  bool last_value_all = false;
  std::vector<std::string> last_value_events;

  /// The client-side deadline of a request with this Thing's defaults.
  seconds effective_deadline() const;

  friend bool operator==(const thing_config&, const thing_config&) = default;
};

struct logging_config {
  std::string level = "info"; ///< trace, debug, info, warn, error, critical, off
  /// Optional rotating log file (in addition to stderr).
  std::string file;
  std::uint32_t max_size_mb = 10;
  std::uint32_t max_files = 3;
};

/// The operators' HTTP endpoint (/metrics, /status, /): off unless configured.
struct http_config {
  bool enabled = false;
  std::string host = "127.0.0.1"; ///< loopback unless an address is named
  std::uint16_t port = 0;         ///< 0 = any free port (announced on stdout)

  friend bool operator==(const http_config&, const http_config&) = default;
};

/// One peer broker of the federation: where its federation endpoint listens.
struct peer_config {
  std::string host;
  std::uint16_t port = 0;

  std::string address() const { return host + ":" + std::to_string(port); }
  friend bool operator==(const peer_config&, const peer_config&) = default;
};

/// `broker.federation` and `broker.peers`: brokers that route requests and
/// events for each other's Things over CAF's middleman (README "Federation").
struct federation_config {
  bool enabled = false;
  std::string host = "127.0.0.1"; ///< listen address; loopback unless named
  std::uint16_t port = 0;         ///< 0 = any free port (printed as "federation PORT")
  /// TLS through CAF's OpenSSL module: this broker's certificate and key and
  /// the CA that signs every peer's certificate (peers without one are refused).
  std::string certificate;
  std::string key;
  std::string ca;
  /// Unencrypted, unauthenticated TCP; only when set explicitly.
  bool plain = false;
  seconds reconnect_min{0.1};
  seconds reconnect_max{1.0};
  seconds ping_interval{1.0};
  /// Added to a remote Thing's deadline for the trip across (a frozen peer
  /// ends requests at deadline + margin).
  seconds deadline_margin{1.0};
  std::vector<peer_config> peers;

  bool tls() const noexcept { return !certificate.empty(); }
  friend bool operator==(const federation_config&, const federation_config&) = default;
};

/// Where a key is in the file: 1-based line and column of the key itself.
struct source_mark {
  int line = 0;
  int column = 0;

  friend bool operator==(const source_mark&, const source_mark&) = default;
};

/// Where the loader found the keys it read (every section: `broker`,
/// `defaults`, `things`, `security`, `limits`): the one owner of positions,
/// so a reload can point at a key's line in the new file without parsing it
/// a second time.
struct config_source {
  /// The file the keys were read from; empty when the configuration was
  /// not read from a file (then no position is known).
  std::string file;
  /// Dotted key path (`broker.federation.listen`, `things[0].id`) -> mark.
  std::map<std::string, source_mark, std::less<>> keys;

  /// The mark of `key`, or nullptr when the file does not have it.
  const source_mark* find(std::string_view key) const;
  /// What the readers of the file call for each key they accept (its
  /// dotted path, 1-based line and column): notes it here.
  std::function<void(const std::string&, int, int)> recorder();
  /// `key` when the file has it, else its nearest enclosing key the file
  /// has (`broker.federation.listen` -> `broker.federation` -> `broker`),
  /// else "" (the file itself).
  std::string nearest(std::string_view key) const;
};

struct broker_config {
  /// Broker id: the front end's routing id and IPC file name.
  std::string id = "holobroker";
  /// hololinked's TEMP_DIR for IPC paths; default `$HOME/.hololinked`.
  std::string temp_dir;
  bool frontend_ipc = true;
  std::string frontend_tcp; ///< e.g. `tcp://127.0.0.1:5555`; empty = off
  bool events_ipc = true;
  std::string events_tcp; ///< empty = front-end TCP port + 1 when TCP is on
  /// Port on which the router actor is published through CAF's middleman;
  /// 0 = not published.
  std::uint16_t middleman_port = 0;
  std::string middleman_host = "127.0.0.1";
  /// How long SIGTERM lets in-flight requests finish before failing them.
  seconds drain_grace{5.0};
  logging_config logging;
  security_config security; ///< `security:` (security_config.hpp)
  limits_config limits;     ///< `limits:`
  http_config http;         ///< `broker.http:`
  federation_config federation; ///< `broker.federation:` and `broker.peers:`
  std::vector<thing_config> things;
  /// Where each key came from (filled by parse_config).
  config_source source;

  const thing_config* find_thing(std::string_view thing_id) const;
};

/// A configuration error naming file:line:column and the key, e.g.
/// `demo.yaml:12:5: things[1].address: must be IPC, ipc://…, tcp://HOST:PORT or inproc://…`.
struct config_error {
  std::string file;
  int line = 0;   ///< 1-based; 0 when unknown
  int column = 0; ///< 1-based; 0 when unknown
  std::string key;
  std::string message;

  std::string to_string() const;
};

using config_result = expected<broker_config, config_error>;

/// Parses YAML text; `file` names it in errors.
config_result parse_config(std::string_view yaml, std::string_view file = "<config>");

/// Reads and parses a file.
config_result load_config(const std::string& path);

/// Human-readable duration parsing shared by config and command lines:
/// a number of seconds (`2.5`) or a number with unit `ms`, `s`, `m`
/// (`500ms`, `5s`, `1m`). Negative values are rejected.
std::optional<seconds> parse_duration(std::string_view text);

} // namespace holobroker::config
