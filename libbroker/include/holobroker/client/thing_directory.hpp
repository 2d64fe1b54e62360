#pragma once

// Which connection serves which Thing: an immutable, versioned snapshot.
//
// Exactly one actor owns the mapping (the daemon's fleet, or a pool for
// library users) and publishes a new snapshot on every change; everybody
// else (the front end, the router facade) registers once with `watch_atom`
// and is sent (put_atom, thing_directory) at once and after every change.
// The owner holds its followers weakly, so a follower's lifetime is its
// users' business. Copying a snapshot shares it.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/timespan.hpp>
#include <caf/typed_actor.hpp>

#include "holobroker/client/atoms.hpp"
#include "holobroker/client/client_actor.hpp"
#include "holobroker/events/event_subscriber.hpp"

namespace holobroker::client {

/// One Thing's connection.
struct thing_route {
  std::string thing_id;
  client_actor client;
  std::string server_id;
  std::string client_id;
  /// The broker whose Thing this is: empty for this broker's own, else the
  /// peer broker's id (federation: a broker exports only its own Things, so
  /// a route never travels back to where it came from).
  std::string origin{};
  /// The connection's default client-side deadline (0 = unknown): what a
  /// peer broker waits for at most before failing a request it forwarded.
  caf::timespan deadline{0};
  /// The subscriber of the Thing's event publisher, where a peer broker
  /// subscribes its event fan-in (null when the owner has none, e.g. a pool).
  events::event_subscriber_actor events{};
  /// A peer broker's Thing while the link to that peer is up: the peer's
  /// own client actor of the Thing, reached through CAF's middleman (null
  /// otherwise). `client` is then the local peer actor, which relays,
  /// bounds and fails requests fast for every user of the directory. The
  /// daemon's front end skips that relay and sends here itself, bounding
  /// each request by `remote_bound` and failing it when the link drops:
  /// one actor hop less each way (README "Federation", docs/BENCHMARKS.md).
  client_actor remote{};
  /// How long a request sent to `remote` is waited for at most: the
  /// Thing's deadline + the federation margin (see federation.hpp).
  caf::timespan remote_bound{0};
};

class thing_directory {
public:
  using map_type = std::map<std::string, thing_route, std::less<>>;

  thing_directory();
  thing_directory(std::uint64_t version, map_type routes);

  /// Grows by one with every change the owner publishes; 0 = never published.
  std::uint64_t version() const noexcept { return version_; }
  /// The route of `thing_id`, or null.
  const thing_route* find(std::string_view thing_id) const;
  /// Every route, sorted by Thing id.
  const map_type& routes() const noexcept { return *routes_; }
  std::size_t size() const noexcept { return routes_->size(); }

private:
  std::uint64_t version_ = 0;
  std::shared_ptr<const map_type> routes_;
};

/// What every follower accepts (the router and the daemon's front end have
/// it in their interfaces).
using directory_follower = caf::typed_actor<caf::reacts_to<caf::put_atom, thing_directory>>;

/// What the owner of the mapping offers to those who follow it.
using directory_actor = caf::typed_actor<
  /// Registers the sender as a follower: it is sent (put_atom,
  /// thing_directory) with the current snapshot now and with every new one,
  /// in version order, until it terminates.
  caf::reacts_to<watch_atom>,
  /// The current snapshot, once (for code that is not a follower).
  caf::replies_to<get_atom, watch_atom>::with<thing_directory>>;

} // namespace holobroker::client
