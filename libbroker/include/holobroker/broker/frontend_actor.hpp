#pragma once

// The broker's front end: a ROUTER that speaks the server side of
// hololinked 0.4, so that an unmodified hololinked client pointed at the
// broker's id works.
//
// - HANDSHAKE is answered at once by the broker itself.
// - Requests for a Thing go straight to the Thing's client actor, found in
//   the fleet's directory snapshot (the front end follows the fleet), and
//   the outcome goes back to the transport identity that asked, under the
//   client's message id: REPLY, or EXCEPTION / INVALID_MESSAGE / TIMEOUT
//   (error_reply.hpp). Every forwarded request ends in exactly one answer.
// - Oneway requests are forwarded as oneway on the Thing's connection and
//   never answered (as the real server). They take the same path as the
//   other requests, so one client's requests to one Thing are sent upstream
//   in the order the client sent them, whatever their kind.
// - As strict as the real server: frame count != 5 -> INVALID_MESSAGE;
//   missing serverExecutionContext -> INVALID_MESSAGE; unparsable headers
//   and fewer than 3 frames are dropped and logged; EXIT is ignored (it
//   would stop a real server; a broker serving many clients does not stop).
// - thingID == broker id: answered by the broker (`ping`, `things`,
//   `status`, `last_event`; introspection.hpp documents the payloads).
// - A get_thing_description REPLY has its ZMQ hrefs rewritten to the
//   broker's own addresses (td_rewriter.hpp).
// - drain: new requests are refused (EXCEPTION), those in flight get until
//   the grace period ends, the rest then fail with a clear EXCEPTION, the
//   socket closes (its IPC file goes) and the answer counts both.

#include <cstdint>
#include <memory>
#include <string>

#include <caf/typed_actor.hpp>

#include "holobroker/broker/atoms.hpp"
#include "holobroker/broker/type_ids.hpp"
#include "holobroker/broker/event_fanin_actor.hpp"
#include "holobroker/broker/fleet_actor.hpp"
#include "holobroker/broker/listener.hpp"
#include "holobroker/broker/td_rewriter.hpp"
#include "holobroker/client/thing_directory.hpp"
#include "holobroker/security/authorizer.hpp"

namespace holobroker::broker {

/// What others may send the front end (the messages it sends itself are
/// internal: src/broker/frontend_impl.hpp).
using frontend_actor = caf::typed_actor<
  /// The fleet's next directory snapshot (taken from the fleet only).
  caf::reacts_to<put_atom, client::thing_directory>,
  /// Drains within the grace period; answers (completed, failed) counts of
  /// the requests that were in flight when the drain began.
  caf::replies_to<drain_atom, caf::timespan>::with<std::uint64_t, std::uint64_t>,
  /// The status document (JSON), as the `status` action answers it.
  caf::replies_to<get_atom, status_atom>::with<std::string>>;

struct frontend_config {
  std::string broker_id;
  broker_endpoints endpoints;
  /// What the Thing Descriptions sent to CURVE clients name (the CURVE
  /// front end and event endpoint, TCP only); empty without CURVE. A CURVE
  /// client's identity is tagged 'C' by the socket (listener.hpp).
  broker_endpoints curve_endpoints;
  /// Samples per Thing for the latency percentiles.
  std::size_t latency_samples = 1024;
  /// Per-request access control (shared with broker_node, which replaces
  /// the policy on SIGHUP); null: everything is allowed.
  std::shared_ptr<security::authorizer> policy;
  /// Requests one client identity may have in flight; 0: no bound.
  std::uint32_t max_in_flight_per_client = 0;
  /// Requests per second one client identity may send, and its burst
  /// (0: one second's worth); 0: no rate limit.
  std::uint32_t max_requests_per_second_per_client = 0;
  std::uint32_t request_burst_per_client = 0;
};

/// `directory` is the fleet's snapshot at spawn time (the front end follows
/// the fleet for the next ones), so no request sees an empty fleet at start.
frontend_actor spawn_frontend(caf::actor_system& sys, frontend_config cfg,
                              std::shared_ptr<frontend_socket> socket, fleet_actor fleet,
                              fanin_actor fanin, client::thing_directory directory);

} // namespace holobroker::broker
