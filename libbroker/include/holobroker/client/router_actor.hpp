#pragma once

// The pool (hololinked's MessageMappedZMQClientPool, done as an actor):
// maps Thing ids to client actors, one client per server.

#include <memory>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/typed_actor.hpp>

#include "holobroker/client/client_actor.hpp"

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
  /// Spawns a client for `cfg` (router-owned) and maps `things` to it.
  caf::replies_to<add_atom, client_config, std::vector<std::string>>::with<client_actor>,
  /// Maps one more Thing to an existing client (not router-owned).
  caf::reacts_to<add_atom, std::string, client_actor>,
  /// Unmaps a Thing; a router-owned client serving no Thing any more is shut down.
  caf::reacts_to<delete_atom, std::string>,
  /// The mapped Thing ids, sorted.
  caf::replies_to<get_atom, things_atom>::with<std::vector<std::string>>>;

router_actor spawn_router(caf::actor_system& sys,
                          std::shared_ptr<transport::transport_factory> transports);

} // namespace holobroker::client
