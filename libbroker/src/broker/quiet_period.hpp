#pragma once

// When something retired by a reload may close: a connection the fleet no
// longer routes to (connection_retirement.cpp), a peer removed from
// broker.peers (federation/peer_actor.cpp). Requests routed before the
// front end took the new directory may still be on their way (CAF orders
// messages per sender, and the front end is not whoever checks), so it must
// be idle at two checks one period apart with no request arriving between
// them. One rule for both.

#include <cstdint>
#include <optional>

namespace holobroker::broker {

class quiet_period {
public:
  /// One periodic check: `idle` now (nothing in flight or queued), and
  /// `requests` the number of requests that reached it so far. True when
  /// it may close.
  bool check(bool idle, std::uint64_t requests) {
    bool quiet = idle && last_idle_ == requests;
    last_idle_ = idle ? std::optional<std::uint64_t>{requests} : std::nullopt;
    return quiet;
  }

private:
  std::optional<std::uint64_t> last_idle_; ///< the count at the last check, if idle then
};

} // namespace holobroker::broker
