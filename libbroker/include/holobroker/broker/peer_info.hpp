#pragma once

#include <cstdint>
#include <string>

namespace holobroker::broker {

/// One configured peer broker as the federation sees it (the `status`
/// introspection's "peers"): listed whether or not it serves any Thing, so
/// that a peer that is down, refused, or has no Things is still visible.
struct peer_info {
  std::string address;   ///< HOST:PORT as configured (broker.peers)
  std::string broker_id; ///< learnt when first connected; empty before
  std::string state;     ///< "connecting", "connected" or "disconnected"
  double rtt_ms = -1;    ///< last ping round trip; < 0 = not measured
  std::string last_error;
  std::uint64_t connects = 0; ///< successful connections so far
  std::size_t things = 0;     ///< the peer's own Things it offers now
};

} // namespace holobroker::broker
