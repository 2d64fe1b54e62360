// The importing side of federation: one actor per configured peer broker
// (federation.hpp). Its phases are behaviours switched with become():
//   connecting  - an attempt (connect + first ping) is under way;
//   backing_off - the last attempt failed or the link dropped; the next
//                 attempt waits for the reconnect timer;
//   connected   - requests are forwarded, pings measure the round trip;
//   retiring    - the peer left broker.peers (a reload) while requests were
//                 in flight: those end as they would have, new ones get
//                 `unknown_thing`, and the actor quits with the last one.
// Every behaviour answers every message of the interface: requests fail at
// once, naming the peer, unless connected.

#include <chrono>
#include <functional>
#include <map>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "broker/quiet_period.hpp"
#include "client/backoff.hpp"
#include "holobroker/client/error.hpp"
#include "holobroker/federation/federation.hpp"

namespace holobroker::federation {

namespace {

using clock_type = std::chrono::steady_clock;

struct peer_state {
  peer_settings cfg;
  report_sink sink;
  client::backoff backoff{std::chrono::milliseconds{100}, std::chrono::seconds{1}};
  endpoint_actor endpoint; ///< the peer's endpoint while connected
  std::string broker_id;
  /// The label of the current behaviour for reports ("connecting",
  /// "disconnected" = backing off or retrying after a failure, "connected");
  /// set only by the functions that switch behaviours.
  std::string state = "connecting";
  std::string last_error;
  double rtt_ms = -1;
  std::uint64_t connects = 0;
  /// Grows with every connection attempt: answers and timers of an older
  /// attempt are ignored.
  std::uint64_t attempt = 0;
  /// The peer's own directory as its endpoint sent it (its client actors).
  client::thing_directory remote;
  /// Requests forwarded and not answered yet: each one's way to fail.
  std::map<std::uint64_t, std::function<void(const caf::error&)>> pending;
  std::uint64_t next_request = 1;
  /// send_request ids -> the remote client that has them (receive_response).
  std::map<std::string, client::client_actor> noblock;
  std::uint64_t forwarded = 0;
  /// Removed from broker.peers: no more reports, reconnects or pings.
  bool retiring = false;
  clock_type::time_point retired_at;
  /// While retiring: requests that came in, and when it may quit.
  std::uint64_t arrivals = 0;
  broker::quiet_period quiet;

  // What is still in flight when the actor ends (shutdown) fails, here and
  // not in an attach_functor: CAF destroys the state (on_exit) before it
  // runs the attachables.
  ~peer_state() {
    auto err = client::make_error(client::client_errc::closed,
                                  "the broker's federation shut down");
    for (auto& [id, fail] : pending)
      fail(err);
  }

  std::string name_of_peer() const {
    return broker_id.empty() ? fmt::format("peer broker at {}", cfg.peer.address())
                             : fmt::format("peer broker '{}' at {}", broker_id,
                                           cfg.peer.address());
  }

  static inline const char* name = "holobroker.federation.peer";
};

using self_ptr = peer_actor::stateful_pointer<peer_state>;

/// How long a request forwarded to the peer is waited for: its own
/// deadline, else the Thing's, else the default, each + the margin for the
/// trip across. `op` null: a request that names none (the front end's).
caf::timespan deadline_of(const peer_state& st, const client::operation_request* op,
                          const client::thing_route* route) {
  if (op != nullptr && op->options.deadline)
    return *op->options.deadline + st.cfg.deadline_margin;
  if (route != nullptr && route->deadline > caf::timespan{0})
    return route->deadline + st.cfg.deadline_margin;
  return st.cfg.default_deadline + st.cfg.deadline_margin;
}

void report(self_ptr self) {
  auto& st = self->state;
  if (st.retiring)
    return; // the federation actor forgot this peer; its Things are gone
  peer_report r;
  r.address = st.cfg.peer.address();
  r.broker_id = st.broker_id;
  r.state = st.state;
  r.rtt_ms = st.rtt_ms;
  r.last_error = st.last_error;
  r.connects = st.connects;
  client::thing_directory::map_type routes;
  auto me = caf::actor_cast<client::client_actor>(self);
  bool up = st.state == "connected";
  for (const auto& [id, route] : st.remote.routes()) {
    auto r2 = route;
    r2.client = me; // requests go through this actor (deadline, fail fast)
    r2.origin = st.broker_id;
    // The front end's way straight across while the link is up; down, it
    // goes through this actor too, which refuses at once naming the peer.
    r2.remote = up ? route.client : client::client_actor{};
    r2.remote_bound = up ? deadline_of(st, nullptr, &r2) : caf::timespan{0};
    routes.emplace(id, std::move(r2));
  }
  r.directory = client::thing_directory{st.remote.version(), std::move(routes)};
  self->send(st.sink, put_atom_v, std::move(r));
}

/// Fails every forwarded request that has no answer yet with `err`.
void fail_pending(self_ptr self, const caf::error& err) {
  auto pending = std::move(self->state.pending);
  self->state.pending.clear();
  self->state.noblock.clear();
  for (auto& [id, fail] : pending)
    fail(err);
}

caf::error refusal(const peer_state& st) {
  return client::make_error(client::client_errc::disconnected,
                            fmt::format("{} is not connected{}", st.name_of_peer(),
                                        st.last_error.empty() ? "" : " (" + st.last_error + ")"));
}

void connect(self_ptr self);
peer_actor::behavior_type connected(self_ptr self);
peer_actor::behavior_type not_connected(self_ptr self, bool backing_off);
peer_actor::behavior_type retiring(self_ptr self);

/// How often a retiring peer checks whether it may quit.
constexpr auto quiet_check = std::chrono::milliseconds{50};

/// The peer left broker.peers. The requests already forwarded were
/// accepted while the peer was configured, and the peer still serves them:
/// they end as they would have (a reply, the Thing's error, TIMEOUT at the
/// deadline, or the loss of the link, naming the peer), none is cut short.
/// New requests get `unknown_thing`. The actor quits when it was idle at
/// two checks `quiet_check` apart with no request in between, the rule the
/// fleet uses for a retired connection (broker/quiet_period.hpp): a request
/// the front end sent before it had the directory without the peer's
/// Things still gets its unknown-Thing answer instead of meeting a dead
/// actor.
void retire(self_ptr self) {
  auto& st = self->state;
  if (st.retiring)
    return;
  st.retiring = true;
  st.retired_at = clock_type::now();
  ++st.attempt; // answers of a connection attempt or ping under way are stale now
  spdlog::info("federation: {} was removed from broker.peers; its peer actor stops when the {} "
               "requests in flight to it have ended",
               st.name_of_peer(), st.pending.size());
  self->become(retiring(self));
  self->delayed_send(self, quiet_check, retire_atom_v);
}

/// A retiring peer's periodic check (see retire()).
void check_retired(self_ptr self) {
  auto& st = self->state;
  // Replies of send_requests not collected yet (noblock) are kept up to
  // the default deadline + margin, not for ever: a client may never ask.
  if (!st.noblock.empty()
      && clock_type::now() - st.retired_at > st.cfg.default_deadline + st.cfg.deadline_margin) {
    spdlog::info("federation: {} (removed from broker.peers): {} noblock replies were not "
                 "collected in time",
                 st.name_of_peer(), st.noblock.size());
    st.noblock.clear(); // a later receive_response gets unknown_message
  }
  if (st.quiet.check(st.pending.empty() && st.noblock.empty(), st.arrivals)) {
    spdlog::info("federation: {} (removed from broker.peers) has nothing in flight; its peer "
                 "actor stops",
                 st.name_of_peer());
    self->quit();
    return;
  }
  self->delayed_send(self, quiet_check, retire_atom_v);
}

/// Leaves the connected phase (or a failed attempt) for backing_off: fails
/// what is in flight, naming the peer, and tries again after the backoff.
void lost(self_ptr self, std::string why) {
  auto& st = self->state;
  auto was = st.state;
  st.state = "disconnected";
  st.last_error = std::move(why);
  if (st.endpoint) {
    self->demonitor(st.endpoint.address());
    st.endpoint = nullptr;
  }
  if (was == "connected")
    spdlog::warn("federation: lost {}: {}", st.name_of_peer(), st.last_error);
  else
    spdlog::debug("federation: cannot reach {}: {}", st.name_of_peer(), st.last_error);
  fail_pending(self, client::make_error(client::client_errc::disconnected,
                                        fmt::format("lost {} while the request was in flight "
                                                    "({})",
                                                    st.name_of_peer(), st.last_error)));
  if (st.retiring)
    return; // no reason to reconnect; check_retired() ends the actor
  self->become(not_connected(self, true));
  report(self);
  auto delay = st.backoff.next();
  self->delayed_send(self, delay, reconnect_atom_v, st.attempt);
}

caf::io::middleman_actor middleman_of(self_ptr self) {
  auto& sys = self->system();
  if (self->state.cfg.tls)
    return sys.openssl_manager().actor_handle();
  return sys.middleman().actor_handle();
}

void schedule_ping(self_ptr self) {
  self->delayed_send(self, self->state.cfg.ping_interval, ping_tick_atom_v, self->state.attempt);
}

/// Enters the connecting phase and starts one attempt.
void connect(self_ptr self) {
  auto& st = self->state;
  auto attempt = ++st.attempt;
  if (st.state != "disconnected")
    st.state = "connecting";
  self->become(not_connected(self, false));
  // The middleman actor connects without blocking this actor; the bound
  // also covers a peer that accepts TCP but never completes the handshake
  // (frozen, or not a broker).
  self
    ->request(middleman_of(self), st.cfg.connect_timeout, caf::connect_atom_v,
              st.cfg.peer.host, st.cfg.peer.port)
    .then(
      [self, attempt](const caf::node_id&, caf::strong_actor_ptr& ptr,
                      const std::set<std::string>&) {
        auto& st = self->state;
        if (attempt != st.attempt)
          return;
        if (!ptr) {
          lost(self, "nothing is published there");
          return;
        }
        auto endpoint = caf::actor_cast<endpoint_actor>(std::move(ptr));
        auto t0 = clock_type::now();
        self->request(endpoint, st.cfg.connect_timeout, ping_atom_v, st.cfg.local_id)
          .then(
            [self, attempt, endpoint, t0](const std::string& id) {
              auto& st = self->state;
              if (attempt != st.attempt)
                return;
              st.endpoint = endpoint;
              self->monitor(st.endpoint);
              if (!st.broker_id.empty() && st.broker_id != id)
                spdlog::warn("federation: the peer at {} was broker '{}' and is now '{}'",
                             st.cfg.peer.address(), st.broker_id, id);
              st.broker_id = id;
              st.rtt_ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0)
                            .count();
              st.state = "connected";
              self->become(connected(self));
              st.last_error.clear();
              ++st.connects;
              st.backoff.reset();
              spdlog::info("federation: connected to {} (round trip {:.2f} ms)",
                           st.name_of_peer(), st.rtt_ms);
              self->send(st.endpoint, client::watch_atom_v);
              report(self);
              schedule_ping(self);
            },
            [self, attempt](const caf::error& err) {
              if (attempt == self->state.attempt)
                lost(self, "no answer to the first ping: " + self->system().render(err));
            });
      },
      [self, attempt](const caf::error& err) {
        if (attempt == self->state.attempt)
          lost(self, self->system().render(err));
      });
}

/// Asks `target` (a client actor at the peer) with `msg...`, bounded by
/// `waited`, and answers with what comes back (a remote error translated,
/// naming the peer). The promise is registered in `pending`, so that a lost
/// link fails it at once; a late answer after that is dropped.
template <class Reply, class... Ts>
caf::result<Reply> relay(self_ptr self, const client::client_actor& target, caf::timespan waited,
                         std::function<void(const Reply&)> on_reply, Ts... msg) {
  auto& st = self->state;
  auto rp = self->make_response_promise<Reply>();
  auto id = st.next_request++;
  st.pending.emplace(id, [rp](const caf::error& err) mutable { rp.deliver(err); });
  self->request(target, waited, std::move(msg)...)
    .then(
      [self, id, rp, on_reply](Reply& reply) mutable {
        if (self->state.pending.erase(id) == 0)
          return; // already failed (link lost)
        if (on_reply)
          on_reply(reply);
        rp.deliver(std::move(reply));
      },
      [self, id, rp, waited](caf::error& err) mutable {
        if (self->state.pending.erase(id) == 0)
          return;
        rp.deliver(hop_error(self->state.name_of_peer(), std::move(err), waited));
      });
  return rp;
}

/// Forwards `op` (as `Tag, op`) to the peer's client actor of its Thing and
/// answers with its reply, or fails at once when the peer is not connected.
template <class Reply, class Tag>
caf::result<Reply> forward(self_ptr self, Tag tag, client::operation_request op,
                           std::function<void(const Reply&, const client::client_actor&)>
                             on_reply = nullptr) {
  auto& st = self->state;
  const auto* route = st.remote.find(op.thing_id);
  if (route == nullptr || !route->client)
    return client::make_error(client::client_errc::unknown_thing,
                              fmt::format("{} does not serve Thing '{}'", st.name_of_peer(),
                                          op.thing_id));
  auto target = route->client;
  auto waited = deadline_of(st, &op, route);
  ++st.forwarded;
  std::function<void(const Reply&)> then;
  if (on_reply)
    then = [on_reply, target](const Reply& reply) { on_reply(reply, target); };
  return relay<Reply>(self, target, waited, std::move(then), tag, std::move(op));
}

/// receive_response for a send_request that went through this actor: asks
/// the remote client that holds its reply.
caf::result<client::operation_reply> collect(self_ptr self, client::receive_response_atom tag,
                                             const std::string& message_id) {
  auto& st = self->state;
  auto i = st.noblock.find(message_id);
  if (i == st.noblock.end())
    return client::make_error(client::client_errc::unknown_message,
                              fmt::format("message id {} was not sent through {}", message_id,
                                          st.name_of_peer()));
  auto target = i->second;
  st.noblock.erase(i);
  return relay<client::operation_reply>(self, target,
                                        st.cfg.default_deadline + st.cfg.deadline_margin,
                                        nullptr, tag, message_id);
}

client::client_status status_of(const peer_state& st) {
  client::client_status cs;
  cs.client_id = "federation|" + st.cfg.peer.address();
  cs.server_id = st.broker_id;
  cs.address = st.cfg.peer.address();
  cs.handshake_done = st.connects > 0;
  cs.connected = st.state == "connected";
  cs.in_flight = st.pending.size();
  cs.requests_sent = st.forwarded;
  cs.handshake_attempts = st.attempt;
  return cs;
}

/// connecting (`backing_off` false) and backing_off: no link, so every
/// request fails at once naming the peer; only the reconnect timer of the
/// current attempt, while backing off, starts the next attempt.
peer_actor::behavior_type not_connected(self_ptr self, bool backing_off) {
  return {
    // Only a connected endpoint's directory counts; a late one of an old
    // link is stale.
    [](put_atom, client::thing_directory&) {},
    [self, backing_off](reconnect_atom, std::uint64_t attempt) {
      if (backing_off && attempt == self->state.attempt)
        connect(self);
    },
    [](ping_tick_atom, std::uint64_t) {},
    [self](retire_atom) { retire(self); },
    [self](client::execute_atom, client::operation_request&)
      -> caf::result<client::operation_reply> { return refusal(self->state); },
    [self](client::oneway_atom, client::operation_request&) -> caf::result<std::string> {
      return refusal(self->state);
    },
    [self](client::send_request_atom, client::operation_request&)
      -> caf::result<std::string> { return refusal(self->state); },
    [self](client::receive_response_atom, const std::string&)
      -> caf::result<client::operation_reply> { return refusal(self->state); },
    [self](client::handshake_atom) -> caf::result<caf::timespan> {
      return refusal(self->state);
    },
    [self](ping_atom) -> caf::result<caf::timespan> { return refusal(self->state); },
    [self](caf::get_atom, client::status_atom) { return status_of(self->state); },
    // Per-Thing policies belong to the owning broker's own connections.
    [](caf::put_atom, const std::string&, const client::thing_policy&) {},
    [](caf::delete_atom, const std::string&) {},
  };
}

/// connected: requests go to the peer's client actors, pings measure the
/// round trip, the endpoint's directory updates are taken.
peer_actor::behavior_type connected(self_ptr self) {
  return {
    [self](put_atom, client::thing_directory& next) {
      auto& st = self->state;
      if (!st.endpoint
          || self->current_sender() != caf::actor_cast<caf::strong_actor_ptr>(st.endpoint))
        return;
      spdlog::info("federation: {} serves {} Things", st.name_of_peer(), next.size());
      st.remote = std::move(next);
      report(self);
    },
    [](reconnect_atom, std::uint64_t) {}, // a timer of an earlier attempt
    [self](retire_atom) { retire(self); },
    [self](ping_tick_atom, std::uint64_t attempt) {
      auto& st = self->state;
      if (attempt != st.attempt)
        return;
      auto t0 = clock_type::now();
      self->request(st.endpoint, st.cfg.ping_interval * 2, ping_atom_v, st.cfg.local_id)
        .then(
          [self, attempt, t0](const std::string&) {
            auto& st = self->state;
            if (attempt != st.attempt)
              return;
            st.rtt_ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0)
                          .count();
            st.last_error.clear();
            report(self);
            schedule_ping(self);
          },
          [self, attempt](const caf::error& err) {
            auto& st = self->state;
            if (attempt != st.attempt)
              return;
            // Still connected (the link is up) but not answering: frozen
            // or overloaded. Requests end at their deadlines meanwhile.
            st.last_error = "ping unanswered: " + self->system().render(err);
            spdlog::warn("federation: {}: {}", st.name_of_peer(), st.last_error);
            report(self);
            schedule_ping(self);
          });
    },
    [self](client::execute_atom tag, client::operation_request& op) {
      return forward<client::operation_reply>(self, tag, std::move(op));
    },
    [self](client::oneway_atom tag, client::operation_request& op) {
      return forward<std::string>(self, tag, std::move(op));
    },
    [self](client::send_request_atom tag, client::operation_request& op) {
      return forward<std::string>(self, tag, std::move(op),
                                  [self](const std::string& id, const client::client_actor& c) {
                                    self->state.noblock.insert_or_assign(id, c);
                                  });
    },
    [self](client::receive_response_atom tag, const std::string& message_id) {
      return collect(self, tag, message_id);
    },
    [](client::handshake_atom) -> caf::result<caf::timespan> { return caf::timespan{0}; },
    [self](ping_atom) -> caf::result<caf::timespan> {
      auto& st = self->state;
      return std::chrono::duration_cast<caf::timespan>(
        std::chrono::duration<double, std::milli>(st.rtt_ms < 0 ? 0 : st.rtt_ms));
    },
    [self](caf::get_atom, client::status_atom) { return status_of(self->state); },
    [](caf::put_atom, const std::string&, const client::thing_policy&) {},
    [](caf::delete_atom, const std::string&) {},
  };
}

/// retiring: see retire().
peer_actor::behavior_type retiring(self_ptr self) {
  // The same reply a request for a Thing nobody serves gets, but saying why.
  auto gone = [self](const std::string& thing) {
    ++self->state.arrivals;
    return client::make_error(client::client_errc::unknown_thing,
                              fmt::format("Thing '{}' is no longer offered: {} was removed from "
                                          "broker.peers",
                                          thing, self->state.name_of_peer()));
  };
  auto removed = [self] {
    return client::make_error(client::client_errc::disconnected,
                              fmt::format("{} was removed from broker.peers",
                                          self->state.name_of_peer()));
  };
  return {
    [](put_atom, client::thing_directory&) {},
    [](reconnect_atom, std::uint64_t) {},
    [](ping_tick_atom, std::uint64_t) {},
    [self](retire_atom) { check_retired(self); },
    [gone](client::execute_atom, client::operation_request& op)
      -> caf::result<client::operation_reply> { return gone(op.thing_id); },
    [gone](client::oneway_atom, client::operation_request& op) -> caf::result<std::string> {
      return gone(op.thing_id);
    },
    [gone](client::send_request_atom, client::operation_request& op)
      -> caf::result<std::string> { return gone(op.thing_id); },
    // The reply of a send_request forwarded before the removal is still
    // collected: that request was in flight.
    [self](client::receive_response_atom tag, const std::string& message_id) {
      ++self->state.arrivals;
      return collect(self, tag, message_id);
    },
    [removed](client::handshake_atom) -> caf::result<caf::timespan> { return removed(); },
    [removed](ping_atom) -> caf::result<caf::timespan> { return removed(); },
    [self](caf::get_atom, client::status_atom) { return status_of(self->state); },
    [](caf::put_atom, const std::string&, const client::thing_policy&) {},
    [](caf::delete_atom, const std::string&) {},
  };
}

} // namespace

peer_actor spawn_peer(caf::actor_system& sys, peer_settings settings, report_sink sink) {
  auto init = [](self_ptr self, peer_settings settings,
                 report_sink sink) -> peer_actor::behavior_type {
    auto& st = self->state;
    st.cfg = std::move(settings);
    st.sink = std::move(sink);
    st.backoff = client::backoff{st.cfg.reconnect_min, st.cfg.reconnect_max};
    self->set_down_handler([self](const caf::down_msg& dm) {
      auto& st = self->state;
      if (st.endpoint && dm.source == st.endpoint.address())
        lost(self, "connection lost (" + self->system().render(dm.reason) + ")");
    });
    report(self);
    // connect() installs the connecting behaviour; the one returned here
    // would replace it, so it is the same.
    connect(self);
    return not_connected(self, false);
  };
  return sys.spawn(init, std::move(settings), std::move(sink));
}

} // namespace holobroker::federation
