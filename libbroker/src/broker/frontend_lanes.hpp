#pragma once

// Internal to the front end: the lane each request travels on to its
// Thing's client actor. CAF's mailboxes have two priorities, and the answer
// to a request comes back with the priority the request was sent with; the
// quick lane (high priority) is how a client that asks one thing at a time
// gets its answers ahead of a neighbour's backlog. Why: the front end is
// one actor, so without lanes the answer to a lone read waits in its mailbox
// behind every answer a pipelining or flooding client has pending (up to
// limits.max_in_flight_per_client of them); measured with holobroker-bench
// --groups neighbour, that queue was most of the slowdown next to a flood.
//
// Order is the constraint: CAF orders messages only per sender, receiver
// and priority, so one client's requests to one Thing must not switch lanes
// while any of them is on its way (the Thing would see them reordered). A
// (client, Thing) pair therefore picks its lane only when it has nothing
// outstanding: the quick lane if the client has nothing in flight at all.
// It stays there for up to `quick_depth` outstanding requests; one more is
// held here, and so is everything after it, until the quick ones are
// answered; then the held ones go, in order, on the normal lane, where the
// pair stays until it is idle again. A flood thus gets the quick lane for
// its first few requests at most, and a lone client keeps it for good.
// Oneway requests take their place in the same order (they are outstanding
// until the client actor acknowledges them).
//
// A peer broker's Thing reached straight through CAF's middleman
// (thing_route::remote) is always on the normal lane: with CAF 0.17 the
// answer to a high-priority request across the middleman never arrived
// (seen here: the peer's client actor answered, the front end got
// nothing), and the answer comes back through the middleman's one
// connection anyway.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

#include "holobroker/client/client_actor.hpp"
#include "holobroker/client/operation.hpp"
#include "holobroker/wire/request.hpp"

namespace holobroker::broker::frontend {

/// How many requests of one pair may be outstanding on the quick lane.
inline constexpr std::uint32_t quick_depth = 4;

/// How many requests one pair may have held. Requests that are answered
/// are bounded anyway (limits.max_in_flight_per_client, they are in
/// flight); oneway ones are not, and a client that keeps sending them
/// while its quick requests wait for a slow Thing must not grow the front
/// end without bound: beyond this, a request is refused (BlockingIOError;
/// a oneway one is dropped, logged and counted).
inline constexpr std::size_t max_held = 1024;

/// A request on its way to (or held for) a Thing's client actor.
struct lane_request {
  std::uint64_t id = 0; ///< in the front end's table; 0 for a oneway request
  client::operation_request op;
  client::client_actor to;
  std::string message_id; ///< for the log (oneway requests)
  std::string who;        ///< the client, printable, for the log
  /// A peer broker's Thing, sent straight to the peer's client actor
  /// (thing_route::remote): waited for at most `bound` (0: a local Thing,
  /// whose client actor bounds it); `origin`, the peer's broker id, names
  /// it in errors (empty for a local Thing).
  caf::timespan bound{0};
  std::string origin;
};

struct pair_lane {
  bool quick = false;
  std::uint32_t outstanding = 0; ///< sent, not yet answered (or acknowledged)
  std::deque<lane_request> held; ///< waiting for the quick ones to end
};

/// The lanes of the (client, Thing) pairs with requests outstanding or held
/// (a pair is forgotten when it has neither, so this is bounded by the
/// requests in flight).
struct lane_table {
  std::unordered_map<std::string, pair_lane> pairs;
  std::uint64_t quick_sent = 0;  ///< requests sent on the quick lane (status)
  std::uint64_t held_total = 0;  ///< requests held for a lane change (status)
  std::uint64_t refused = 0;     ///< beyond max_held (status)

  static std::string key(const wire::shared_bytes& identity, std::string_view thing_id) {
    // Length-prefixed: routing ids are arbitrary bytes.
    auto id = identity.view();
    std::string k = std::to_string(id.size());
    k += ':';
    k.append(id.data(), id.size());
    k.append(thing_id.data(), thing_id.size());
    return k;
  }
};

} // namespace holobroker::broker::frontend
