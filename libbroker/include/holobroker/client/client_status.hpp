#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace holobroker::client {

/// A snapshot of a connection's state and counters (for tests, metrics, the daemon).
struct client_status {
  std::string client_id;
  std::string server_id;
  std::string address;
  bool handshake_done = false;
  bool connected = false;          ///< transport link up (monitor view)
  std::size_t in_flight = 0;       ///< requests waiting for their reply
  std::size_t waiting_to_send = 0; ///< requests queued for connect/reconnect
  std::size_t cached_replies = 0;
  std::uint64_t requests_sent = 0;
  std::uint64_t replies_matched = 0;
  std::uint64_t replies_dropped = 0; ///< late, duplicated or unknown message ids
  std::uint64_t cache_evictions = 0;
  std::uint64_t deadline_expired = 0;
  std::uint64_t busy_rejected = 0;
  std::uint64_t disconnects = 0;
  std::uint64_t handshake_attempts = 0;
};

} // namespace holobroker::client
