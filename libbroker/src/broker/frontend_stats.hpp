#pragma once

// What the front end counts for the status document: per-Thing request
// stats (only for Things in the directory, so that a client sending random
// Thing ids cannot grow the map), messages handled at intake, and the
// client identities seen lately (the `clients` gauge, bounded as well).

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

#include "holobroker/broker/request_stats.hpp"
#include "holobroker/wire/shared_bytes.hpp"

namespace holobroker::broker::frontend {

class frontend_stats {
public:
  using clock_type = std::chrono::steady_clock;

  explicit frontend_stats(std::size_t latency_samples = 1024) : samples_(latency_samples) {}

  /// The stats of `thing`, created on first use: only for Things in the
  /// directory (their number is the configuration's).
  thing_stats& of(const std::string& thing);
  const std::map<std::string, thing_stats>& things() const noexcept { return things_; }

  std::uint64_t handshakes = 0;
  std::uint64_t dropped = 0; ///< dropped at intake (unparsable, EXIT)
  std::uint64_t invalid = 0; ///< answered INVALID_MESSAGE at intake
  /// Requests for Things not in the directory: one counter for all of them
  /// (an entry per id would let random thingIDs grow memory without bound).
  std::uint64_t unknown_thing = 0;

  /// Notes the client identity of a message. Consecutive messages of one
  /// client cost a comparison only.
  void saw_client(const wire::shared_bytes& identity);
  /// Client identities that sent something within the horizon (forgets the others).
  std::size_t clients(clock_type::time_point now);

private:
  void forget_old_clients(clock_type::time_point now);

  std::size_t samples_;
  std::map<std::string, thing_stats> things_;
  /// Client identity -> when it last sent a message.
  std::unordered_map<std::string, clock_type::time_point> clients_;
  std::string last_client_;
  clock_type::time_point last_client_at_;
};

} // namespace holobroker::broker::frontend
