#pragma once

#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "client_actor_impl.hpp"
#include "holobroker/transport/transport.hpp"

namespace holobroker::client {

/// Spawns the owner of `monitor` (the libzmq socket monitor of the client's
/// ROUTER): it drains monitor events when woken and forwards them to the
/// client as `(link_atom, link_event)`. Holds the client weakly and quits
/// when the client is gone.
caf::actor spawn_monitor_actor(caf::local_actor* parent, caf::weak_actor_ptr client,
                               std::shared_ptr<transport::link_monitor> monitor);

} // namespace holobroker::client
