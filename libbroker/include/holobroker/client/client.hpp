#pragma once

// holobroker client core: hololinked's AsyncZMQClient, SyncZMQClient,
// MessageMappedZMQClientPool and EventConsumer as CAF 0.17 actors.
//
// Design
// - client_actor (client_actor.hpp): one per client identity. It is the only
//   owner of its ROUTER socket (behind transport::request_transport) and of
//   its bounded reply cache. Requests and replies are matched by message
//   id; replies nobody waits for any more are dropped and counted. Every
//   request has a client-side deadline, in-flight requests are bounded
//   (beyond: `busy`), so every request ends in exactly one reply or error.
// - The client actor is a state machine, one behaviour per state switched
//   with become() (src/client/client_state.hpp): connecting (requests
//   queue, HANDSHAKE attempts go out), ready (requests go out as they come),
//   failed (requests fail at once; a server reappearing starts a new
//   handshake). Its parts, one file each in src/client/: the handshake (a
//   plain object: when to retry, which answers count), the request table
//   (pending requests, send queue, deadlines on one CAF timer), pings, the
//   reply cache, and the timer relay.
// - Only its users' handles keep a client alive. Its helpers hold it
//   weakly: the monitor actor, the reactor's wake-ups and the timer relay
//   (CAF's clock holds delayed messages' receivers strongly, so the client's
//   timers go to the relay, which forwards them while the client exists);
//   its pending requests hold weak promises (a caf::response_promise holds
//   its maker strongly). Dropping every handle closes the socket at once;
//   pending requests fail `closed`.
// - A monitor actor per client owns the libzmq socket monitor and forwards
//   link events (connected/disconnected/ready); the client fails in-flight
//   requests at a disconnect (or keeps idempotent reads for one retry) and
//   holds new ones until the link is back; an idle disconnect causes no
//   failure later.
// - event_subscriber_actor (events/event_subscriber.hpp): SUB socket, exact
//   topic matching, last value per topic, typed delivery to sink actors.
// - router_actor (router_actor.hpp): Thing id -> client, execute/ping in all,
//   add/remove connections at run time.
// - blocking_client (blocking_client.hpp): for non-actor code.
// - I/O: no thread per Thing and no busy polling. One reactor thread per
//   transport factory epolls the ZMQ_FDs of all sockets (edge-triggered) and
//   only sends the owning actor a `readable` message; the actor then drains
//   the socket (and drains again after every send, because ZMQ_FD is
//   edge-triggered and a send may consume the edge). Thread count is
//   constant in the number of servers/Things; an idle fleet sleeps in
//   epoll_wait.
// - Payloads travel as wire::shared_bytes (reference counted), so messages
//   stay copyable without copying payload bytes.
// - Errors: caf::error of category "hb_client" with client_errc (error.hpp).
//
// Register types once: holobroker::client::add_message_types(cfg).

#include "holobroker/client/atoms.hpp"
#include "holobroker/client/blocking_client.hpp"
#include "holobroker/client/client_actor.hpp"
#include "holobroker/client/client_config.hpp"
#include "holobroker/client/client_status.hpp"
#include "holobroker/client/error.hpp"
#include "holobroker/client/operation.hpp"
#include "holobroker/client/router_actor.hpp"
#include "holobroker/client/type_ids.hpp"
#include "holobroker/events/event_subscriber.hpp"
#include "holobroker/wire/address.hpp"
#include "holobroker/transport/zmq_transport.hpp"
