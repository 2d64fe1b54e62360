#pragma once

// Federation: brokers that route requests and events for each other's
// Things over CAF's middleman (README "Federation").
//
// Each broker publishes one *endpoint* (broker.federation.listen, TLS through
// CAF's OpenSSL module unless `plain: true`). A peer broker follows the
// endpoint and is sent this broker's *own* Things only (routes stamped with
// origin = this broker's id): a broker never re-exports what it learnt from
// a peer, so no route and no request can travel in a loop.
//
// On the importing side, one *peer* actor per configured peer connects to
// its endpoint (asynchronously, through the middleman actor), reconnects
// with exponential backoff, measures the round trip with pings, and is the
// local face of the peer's Things: it offers the client_actor interface and
// forwards each request, as the same typed message, to the peer's client
// actor of that Thing. CAF keeps the order per sender/receiver pair on both
// hops, so one client's requests to one remote Thing stay in order. Every
// forwarded request is bounded by the Thing's deadline + a margin (a frozen
// peer ends in `timeout`), and fails at once, naming the peer, when the link
// drops or is down.
//
// The *federation* actor is the directory the front end and the router
// follow when federation is configured: it offers the fleet's interface,
// follows the local fleet and every peer, and publishes the merged
// snapshot. Local Things win over a peer's claim of the same id; an id
// claimed by two peers is routed to neither (its requests fail naming the
// claimants). Both cases are reported in the log and in `things` / `status`.
// For a peer's Thing it also announces the peer's event subscriber of that
// Thing to the local event fan-in, which then subscribes there on demand
// exactly as it does locally (the events cross the middleman as typed
// messages, and the fan-in unsubscribes when its last local subscriber goes).

#include <cstdint>
#include <functional>
#include <string>

#include <chrono>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "holobroker/broker/event_fanin_actor.hpp"
#include "holobroker/broker/fleet_actor.hpp"
#include "holobroker/client/atoms.hpp"
#include "holobroker/client/client_actor.hpp"
#include "holobroker/client/thing_directory.hpp"
#include "holobroker/config/broker_config.hpp"
#include "holobroker/expected.hpp"

CAF_ADD_ATOM(holobroker_federation, holobroker::federation, reconnect_atom, "hb_fconn")
CAF_ADD_ATOM(holobroker_federation, holobroker::federation, ping_tick_atom, "hb_fping")
CAF_ADD_ATOM(holobroker_federation, holobroker::federation, retire_atom, "hb_fretire")

namespace holobroker::federation {

using caf::ping_atom;
using caf::ping_atom_v;
using caf::put_atom;
using caf::put_atom_v;

/// What a broker offers its peers (published on broker.federation.listen).
using endpoint_actor = caf::typed_actor<
  /// The sender (a peer broker's peer actor) follows this broker's own
  /// Things: it is sent (put_atom, thing_directory) now and after every
  /// change, until it goes away.
  caf::reacts_to<client::watch_atom>,
  /// A ping carrying the asking broker's id; answers this broker's id.
  caf::replies_to<ping_atom, std::string>::with<std::string>,
  /// The local fleet's next snapshot (taken from the fleet only).
  caf::reacts_to<put_atom, client::thing_directory>>;

endpoint_actor spawn_endpoint(caf::actor_system& sys, std::string broker_id,
                              client::directory_actor fleet);

/// How one peer is doing, sent by its peer actor on every change.
struct peer_report {
  std::string address;   ///< HOST:PORT as configured
  std::string broker_id; ///< learnt when connected; empty before
  std::string state;     ///< "connecting", "connected", "disconnected"
  double rtt_ms = -1;    ///< last ping round trip; < 0 = none yet
  std::string last_error;
  std::uint64_t connects = 0; ///< successful connections so far
  /// The peer's own Things: routes to the peer actor (client), origin = the
  /// peer's broker id, and the peer's event subscriber of each Thing.
  client::thing_directory directory;
};

using report_sink = caf::typed_actor<caf::reacts_to<put_atom, peer_report>>;

/// A failure of the hop across to a peer broker, as the client is told it:
/// CAF's request timeout becomes `timeout` naming `peer` and the bound
/// waited, any other error of CAF's (a lost link, a proxy gone)
/// `disconnected` naming `peer`; the Thing's own errors (typed, from the
/// peer's client actor) pass unchanged. `peer` reads like "peer broker 'b'
/// at HOST:PORT". Used by the peer actor and by the front end, which sends
/// to a peer's client actor directly (thing_route::remote).
caf::error hop_error(const std::string& peer, caf::error err, caf::timespan waited);

/// The local face of one peer broker (see the top of this file).
using peer_actor = client::client_actor::extend<
  /// The peer's directory (from its endpoint only).
  caf::reacts_to<put_atom, client::thing_directory>,
  /// Internal timers: the next connection attempt, the next ping.
  caf::reacts_to<reconnect_atom, std::uint64_t>, caf::reacts_to<ping_tick_atom, std::uint64_t>,
  /// The peer left broker.peers (a reload; from the federation actor only):
  /// new requests get `unknown_thing`, the requests already forwarded end
  /// as they would have (reply, remote error, TIMEOUT at their deadline, or
  /// the link's loss), and the actor then quits. It reports nothing more.
  caf::reacts_to<retire_atom>>;

struct peer_settings {
  std::string local_id; ///< this broker's id (sent with pings, for the peer's log)
  config::peer_config peer;
  bool tls = false;
  caf::timespan reconnect_min{std::chrono::milliseconds{100}};
  caf::timespan reconnect_max{std::chrono::seconds{1}};
  caf::timespan ping_interval{std::chrono::seconds{1}};
  /// Added to a Thing's deadline for the trip across.
  caf::timespan deadline_margin{std::chrono::seconds{1}};
  /// Used when neither the request nor the route names a deadline (also
  /// for the routes' remote_bound).
  caf::timespan default_deadline{std::chrono::seconds{11}};
  /// Bound on one connection attempt (TCP + the middleman's handshake).
  caf::timespan connect_timeout{std::chrono::seconds{2}};
};

/// `sink` is sent a peer_report on every change of state or directory and
/// after every ping.
peer_actor spawn_peer(caf::actor_system& sys, peer_settings settings, report_sink sink);

/// The merged directory (fleet interface, see the top of this file).
using federation_actor = broker::fleet_actor::extend<
  /// The local fleet's next snapshot (from the fleet only).
  caf::reacts_to<put_atom, client::thing_directory>,
  /// A peer's state and directory (from its peer actor only).
  caf::reacts_to<put_atom, peer_report>>;

/// How the federation actor makes a peer actor (spawn_peer; tests pass a
/// stand-in that needs no middleman).
using peer_spawner = std::function<peer_actor(caf::actor_system&, peer_settings, report_sink)>;

/// Spawns one peer actor per `cfg.peers` entry and follows `fleet`.
///
/// A reload (reload_atom) applies `broker.peers` of the new configuration
/// before it hands the rest to the fleet: a peer added is spawned (connects
/// with the usual backoff), a peer removed is sent retire_atom and leaves
/// the merged directory, `status` and the event fan-in at once, a peer
/// listed unchanged keeps its actor and its link. The other federation
/// settings stay as at start (reload_plan.cpp warns about them).
federation_actor spawn_federation(caf::actor_system& sys, std::string broker_id,
                                  config::federation_config cfg, broker::fleet_actor fleet,
                                  broker::fanin_actor fanin, peer_spawner spawn = nullptr);

/// The peer_settings for `peer` from the configuration.
peer_settings settings_of(const std::string& broker_id, const config::federation_config& cfg,
                          const config::peer_config& peer);

/// Loads what federation needs into an actor system's configuration before
/// the system starts: the middleman, and with TLS the OpenSSL module with
/// this broker's certificate, key and CA (every peer must present a
/// certificate signed by that CA, in both directions).
void configure_actor_system(caf::actor_system_config& sys_cfg,
                            const config::federation_config& cfg);

/// Publishes `endpoint` at cfg.host:cfg.port (TLS unless plain); answers the
/// bound port.
expected<std::uint16_t, std::string> publish_endpoint(caf::actor_system& sys,
                                                      const endpoint_actor& endpoint,
                                                      const config::federation_config& cfg);

} // namespace holobroker::federation

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(holobroker::federation::peer_report)
