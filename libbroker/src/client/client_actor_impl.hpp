#pragma once

// Internal interface of the client actor: what the reactor (readable), the
// monitor actor (link events), the handshake actor and the deadline timers
// send it in addition to the public client_actor interface.

#include <cstdint>

#include <caf/typed_actor.hpp>

#include "holobroker/client/client_actor.hpp"
#include "holobroker/client/type_ids.hpp"
#include "holobroker/transport/link_event.hpp"

namespace holobroker::client {

using client_actor_impl = client_actor::extend<
  /// The socket may have something to read (coalesced reactor wake-up).
  caf::reacts_to<readable_atom>,
  /// From the monitor actor.
  caf::reacts_to<link_atom, transport::link_event>,
  /// From the handshake actor: send one HANDSHAKE now. true = answered;
  /// false = superseded by another attempt's answer; `connection` error =
  /// could not be sent (unroutable: retry soon).
  caf::replies_to<handshake_atom, attempt_atom>::with<bool>,
  /// From the handshake actor: the handshake timed out.
  caf::reacts_to<handshake_atom, caf::error>,
  /// Deadline timer of a ping (by message id).
  caf::reacts_to<deadline_atom, std::string>,
  /// The deadline timer of all requests (its id: stale ones are ignored).
  caf::reacts_to<deadline_atom, std::uint64_t>,
  /// Retry sending queued requests (after would_block / unroutable).
  caf::reacts_to<connected_atom>>;

} // namespace holobroker::client
