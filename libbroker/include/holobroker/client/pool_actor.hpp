#pragma once

// A pool of connections for library users (hololinked's
// MessageMappedZMQClientPool, done as an actor): the owner of a
// thing_directory outside the daemon. Put a router_actor in front of it to
// route requests by Thing id.

#include <memory>
#include <string>
#include <vector>

#include <caf/typed_actor.hpp>

#include "holobroker/client/client_actor.hpp"
#include "holobroker/client/thing_directory.hpp"

namespace holobroker::transport {
class transport_factory;
} // namespace holobroker::transport

namespace holobroker::client {

using pool_actor = directory_actor::extend<
  /// Spawns a client for `cfg` (pool-owned) and maps `things` to it.
  caf::replies_to<add_atom, client_config, std::vector<std::string>>::with<client_actor>,
  /// Maps one more Thing to an existing client (not pool-owned).
  caf::reacts_to<add_atom, std::string, client_actor>,
  /// Unmaps a Thing; a pool-owned client serving no Thing any more is shut
  /// down. A client that terminates is unmapped.
  caf::reacts_to<delete_atom, std::string>>;

pool_actor spawn_pool(caf::actor_system& sys,
                      std::shared_ptr<transport::transport_factory> transports);

} // namespace holobroker::client
