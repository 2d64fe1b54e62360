#pragma once

// What a SIGHUP reload changes in the fleet: Things are compared by id and
// by their whole connection configuration, so untouched Things keep their
// connection (and their requests in flight) across the reload.

#include <string>
#include <vector>

#include "holobroker/config/broker_config.hpp"

namespace holobroker::broker {

/// A broker-level setting the reload changed that only a restart applies,
/// and where it is in the new file (so the warning can point at its line).
struct restart_key {
  std::string key; ///< e.g. `broker.federation.listen`
  /// The new file no longer has the key (a section deleted, a key left to
  /// fall back to its default); the running value stays until a restart.
  bool removed = false;
  /// A section the running configuration does not have was added
  /// (`broker.federation`, `security`).
  bool added = false;
  /// The new file (empty when the configuration came from no file).
  std::string file;
  /// The key whose position `line`:`column` is: `key` itself, or when
  /// removed its nearest enclosing section in the new file ("" = the file).
  std::string at;
  int line = 0;   ///< 1-based; 0 when unknown
  int column = 0; ///< 1-based; 0 when unknown

  friend bool operator==(const restart_key&, const restart_key&) = default;
};

/// The warning's text, in the config-error style:
/// `demo.yaml:6:5: broker.federation.listen: changed; it takes effect only
/// after a restart`, or `demo.yaml:1:1: broker.federation: removed; the
/// running federation stays until a restart`.
std::string to_string(const restart_key& key);

struct reload_plan {
  std::vector<config::thing_config> added;
  std::vector<std::string> removed;          ///< Thing ids
  std::vector<config::thing_config> changed; ///< new configuration; reconnect
  std::vector<std::string> unchanged;        ///< Thing ids
  /// Settings that only a restart applies (id, listeners, middleman, HTTP,
  /// the security section's presence, listeners and key, the limits, the
  /// federation but its peers), in the order checked; the reload warns
  /// about each, pointing at it in the new file.
  std::vector<restart_key> needs_restart;

  bool empty() const noexcept { return added.empty() && removed.empty() && changed.empty(); }
};

reload_plan plan_reload(const config::broker_config& running, const config::broker_config& next);

/// One line for the log: "+a +b -c ~d (2 unchanged)".
std::string to_string(const reload_plan& plan);

} // namespace holobroker::broker
