#pragma once

// What a SIGHUP reload changes in the fleet: Things are compared by id and
// by their whole connection configuration, so untouched Things keep their
// connection (and their requests in flight) across the reload.

#include <string>
#include <vector>

#include "holobroker/config/broker_config.hpp"

namespace holobroker::broker {

struct reload_plan {
  std::vector<config::thing_config> added;
  std::vector<std::string> removed;          ///< Thing ids
  std::vector<config::thing_config> changed; ///< new configuration; reconnect
  std::vector<std::string> unchanged;        ///< Thing ids
  /// Broker-level settings that only a restart applies (id, listeners,
  /// middleman); named so the reload can warn about them.
  std::vector<std::string> needs_restart;

  bool empty() const noexcept { return added.empty() && removed.empty() && changed.empty(); }
};

reload_plan plan_reload(const config::broker_config& running, const config::broker_config& next);

/// One line for the log: "+a +b -c ~d (2 unchanged)".
std::string to_string(const reload_plan& plan);

} // namespace holobroker::broker
