#pragma once

// The router: a read-only facade over a thing_directory, for library users
// and remote CAF actors (the daemon publishes it through the middleman). It
// follows the directory's owner (the daemon's fleet, or a pool_actor) and
// routes each request to the Thing's client actor. Nobody can add or remove
// connections through it.

#include <memory>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/typed_actor.hpp>

#include "holobroker/client/client_actor.hpp"
#include "holobroker/client/thing_directory.hpp"

namespace holobroker::client {

/// The outcome of one Thing's part of an execute-in-all.
struct thing_outcome {
  std::string thing_id;
  bool ok = false;
  operation_reply reply; ///< when ok
  caf::error error;      ///< when not ok
};

/// The outcome of pinging one connection.
struct ping_outcome {
  std::string server_id;
  std::string client_id;
  bool ok = false;
  caf::timespan round_trip{0}; ///< when ok
  caf::error error;            ///< when not ok
};

using router_actor = caf::typed_actor<
  /// Routes by operation_request::thing_id; `unknown_thing` if unmapped.
  caf::replies_to<execute_atom, operation_request>::with<operation_reply>,
  /// The same operation on every mapped Thing (thing_id of the request is
  /// replaced per Thing); one outcome per Thing, sorted by Thing id.
  caf::replies_to<execute_atom, all_atom, operation_request>::with<std::vector<thing_outcome>>,
  /// HANDSHAKE round trip on every connection, sorted by server id.
  caf::replies_to<ping_atom, all_atom>::with<std::vector<ping_outcome>>,
  /// The mapped Thing ids, sorted.
  caf::replies_to<get_atom, things_atom>::with<std::vector<std::string>>,
  /// A new snapshot. Taken from the router's source only: from anybody else
  /// (e.g. a remote node) it is refused and logged.
  caf::reacts_to<put_atom, thing_directory>>;

/// A router following `source` (it keeps the source alive). Requests that
/// arrive before its first snapshot wait for it. If the source terminates,
/// the router keeps routing by the last snapshot it had.
router_actor spawn_router(caf::actor_system& sys, directory_actor source);

} // namespace holobroker::client
