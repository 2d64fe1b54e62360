#pragma once

// A connection leaving the fleet on reload (its Thing removed or changed)
// first stops getting new requests (the router no longer maps the Thing to
// it); then it is retired: the requests it still has in flight may finish,
// and it closes once it has none left or after `limit` (the Thing's
// deadline, by which every request has ended anyway).

#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

#include "holobroker/client/client_actor.hpp"

namespace holobroker::broker {

/// Spawns a short-lived watcher that closes `client` when it has been idle
/// for one `check_every` (no request in flight, queued or newly sent) or
/// `limit` has passed. It asks the client for its status every
/// `check_every` (a reload is rare; no need for a notification protocol).
void retire_connection(caf::actor_system& sys, client::client_actor client, caf::timespan limit,
                       caf::timespan check_every = std::chrono::milliseconds{50});

} // namespace holobroker::broker
