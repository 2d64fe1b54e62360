#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "client_actor_impl.hpp"

namespace holobroker::client {

/// Spawns the actor that drives `client`'s HANDSHAKE: asks it to send one,
/// retries with exponential backoff (handshake_retry_min..max) while the
/// peer is unroutable and after handshake_resend_after without answer,
/// retries at once on `attempt_atom` (the client forwards link-ready
/// events), and reports `connection` to the client after handshake_timeout.
/// Quits once the handshake is answered.
caf::actor spawn_handshake_actor(caf::local_actor* parent, client_actor_impl client,
                                 const client_config& cfg);

} // namespace holobroker::client
