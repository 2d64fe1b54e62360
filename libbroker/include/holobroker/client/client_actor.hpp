#pragma once

#include <memory>
#include <string>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/timespan.hpp>
#include <caf/typed_actor.hpp>

#include "holobroker/client/atoms.hpp"
#include "holobroker/client/client_config.hpp"
#include "holobroker/client/client_status.hpp"
#include "holobroker/client/operation.hpp"

namespace holobroker::transport {
class transport_factory;
} // namespace holobroker::transport

namespace holobroker::client {

/// One connection to one hololinked server (the AsyncZMQClient of
/// hololinked, done as an actor). Every request ends in exactly one reply or
/// one client error (see error.hpp), at the latest at its deadline.
using client_actor = caf::typed_actor<
  /// Sends the operation and answers with its REPLY, or an error.
  caf::replies_to<execute_atom, operation_request>::with<operation_reply>,
  /// Sends the operation and answers with its message id at once; fetch the
  /// outcome with receive_response (the reference client's noblock split).
  caf::replies_to<send_request_atom, operation_request>::with<std::string>,
  /// The outcome of a request started with send_request: waits while it is
  /// in flight; answers from the bounded cache once it ended; each outcome
  /// can be received once; `unknown_message` for ids never sent or evicted.
  caf::replies_to<receive_response_atom, std::string>::with<operation_reply>,
  /// Sends with serverExecutionContext.oneway = true; answers with the
  /// message id once the request left the socket (the server never answers).
  caf::replies_to<oneway_atom, operation_request>::with<std::string>,
  /// Waits until the handshake succeeded; answers with the time it took
  /// (from spawn), or `connection` after the handshake timeout.
  caf::replies_to<handshake_atom>::with<caf::timespan>,
  /// A HANDSHAKE round trip now; answers with its duration.
  caf::replies_to<ping_atom>::with<caf::timespan>,
  caf::replies_to<get_atom, status_atom>::with<client_status>,
  /// Serves Thing `thing_id` with this policy from now on (a Thing joining a
  /// shared connection, or its settings changed on reload); requests already
  /// accepted keep the deadline they were accepted with.
  caf::reacts_to<put_atom, std::string, thing_policy>,
  /// Thing `thing_id` left: its policy goes (requests of it in flight end
  /// as usual; new ones get the connection's defaults).
  caf::reacts_to<delete_atom, std::string>>;

/// Spawns a client for `cfg` with transports from `transports` (see
/// transport/zmq_transport.hpp for the ZeroMQ one). The client starts
/// handshaking at once; requests sent before the handshake succeeded wait
/// for it (up to their deadline). After the handshake timeout, requests fail
/// at once with `connection` until the socket monitor reports the link up
/// again, which starts a new handshake. Sending the client an exit message (or
/// dropping all handles) closes its socket; pending requests fail `closed`.
client_actor spawn_client(caf::actor_system& sys, client_config cfg,
                          std::shared_ptr<transport::transport_factory> transports);

/// A client id for `server_id`: `<server id>|holobroker|<8 hex chars>`.
std::string make_client_id(std::string_view server_id);

} // namespace holobroker::client
