#pragma once

// How many requests per second one client identity may send
// (limits.max_requests_per_second_per_client, with a burst). A client that
// floods the front end costs the daemon CPU for every request it serves
// for it, and on a small machine that CPU is what its neighbours' requests
// wait for (docs/BENCHMARKS.md, "Where a read next to a flood waits"); the
// in-flight bound does not stop a client that pipelines within it at full
// speed. Beyond its rate a client's requests are refused at the door, at a
// fraction of the cost of serving them.
//
// One bucket per client identity that sent lately, in a bounded table: a
// bucket that has refilled holds what a fresh one holds and is forgotten
// when room is needed; if every remembered client is still spending its
// burst, the table starts afresh (each forgotten client gets a fresh
// burst, once). Off (no table at all) when no rate is configured.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "broker/token_bucket.hpp"

namespace holobroker::broker {

class client_rate_limit {
public:
  using time_point = token_bucket::time_point;

  /// Off.
  client_rate_limit() = default;

  /// `per_second` 0: off. `burst` 0: one second's worth.
  explicit client_rate_limit(double per_second, double burst = 0,
                             std::size_t max_clients = default_max_clients);

  bool enabled() const noexcept { return per_second_ > 0; }

  /// Whether `identity` may send one more request at `now` (takes a token).
  bool admit(std::string_view identity, time_point now);

  /// How many clients have a bucket now.
  std::size_t clients() const noexcept { return buckets_.size(); }

  double per_second() const noexcept { return per_second_; }
  double burst() const noexcept { return burst_; }

  /// The table's bound: as many client identities as the not-reading list
  /// remembers (frontend_guard.hpp).
  static constexpr std::size_t default_max_clients = 4096;

private:
  /// Lookups by string_view: no string is made per request.
  struct identity_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };

  /// Forgets the full buckets; all of them if none was.
  void make_room(time_point now);

  double per_second_ = 0;
  double burst_ = 1;
  std::size_t max_clients_ = default_max_clients;
  std::unordered_map<std::string, token_bucket, identity_hash, std::equal_to<>> buckets_;
};

} // namespace holobroker::broker
