#pragma once

#include <optional>
#include <string>

#include "holobroker/client/client_status.hpp"

namespace holobroker::broker {

/// One Thing of the fleet as the fleet sees it (the `things` introspection).
struct thing_info {
  std::string id;
  std::string server_id;
  std::string address; ///< resolved (IPC -> ipc://...)
  std::string event_address;
  std::string client_id;
  /// The connection's status; empty when it did not answer in time.
  std::optional<client::client_status> connection;
  /// Federation: empty for this broker's own Things, else the id of the peer
  /// broker that holds it (or of every claimant, when `conflict`).
  std::string origin{};
  std::string peer_address{};  ///< HOST:PORT of that peer's federation endpoint
  std::string peer_state{};    ///< "connected", "connecting" or "disconnected"
  double peer_rtt_ms = -1;   ///< last ping round trip; < 0 = not measured
  /// Claimed by more than one broker: not routed; says who claims it.
  std::string conflict{};
};

} // namespace holobroker::broker
