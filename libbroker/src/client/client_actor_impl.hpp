#pragma once

// Internal interface of the client actor: what the reactor (readable), the
// monitor actor (link events) and the client's own timers send it in
// addition to the public client_actor interface. One message per meaning;
// every timer message carries what tells a stale one (timers cannot be
// cancelled).

#include <cstdint>
#include <string>

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
  /// The one timer of all request deadlines fired (its number: older
  /// ones are stale).
  caf::reacts_to<deadline_atom, std::uint64_t>,
  /// Time for another HANDSHAKE attempt, unless attempt N was superseded
  /// (answered, or a newer attempt went out).
  caf::reacts_to<handshake_retry_atom, std::uint64_t>,
  /// Handshake run N timed out, unless it ended already.
  caf::reacts_to<handshake_timeout_atom, std::uint64_t>,
  /// The ping with this HANDSHAKE message id timed out, if still pending.
  caf::reacts_to<ping_timeout_atom, std::string>,
  /// Try again to send queued requests the socket refused (would block,
  /// unroutable).
  caf::reacts_to<send_retry_atom>>;

} // namespace holobroker::client
