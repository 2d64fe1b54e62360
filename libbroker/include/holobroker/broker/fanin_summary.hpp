#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace holobroker::broker {

/// What the event fan-in reports about itself (the `status` introspection).
struct fanin_summary {
  /// Topics local subscribers asked for, with how many asked.
  std::map<std::string, std::uint64_t> subscribed;
  /// Topics subscribed upstream by the configuration, "thing/event".
  std::vector<std::string> pinned;
  std::uint64_t received = 0;  ///< events from upstream
  std::uint64_t forwarded = 0; ///< events published to local subscribers
  std::uint64_t cached = 0;    ///< topics in the last-value cache
  std::uint64_t last_values_sent = 0; ///< last values sent to a new subscriber alone
  std::uint64_t probes_answered = 0;  ///< subscription probes answered
  std::uint64_t subscriptions_denied = 0; ///< subscriptions the security policy refused
  /// False: libzmq refused manual last-value mode, no last values are sent.
  bool last_value_supported = true;
  /// Thing id -> wall-clock time (Unix seconds) of its latest event.
  std::map<std::string, double> last_event_at;
};

} // namespace holobroker::broker
