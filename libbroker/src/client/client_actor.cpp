#include "holobroker/client/client_actor.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>

#include "client_state.hpp"
#include "holobroker/client/error.hpp"

// The client actor as a state machine: one behaviour per state (see
// client_state.hpp for the states and their transitions). The handlers a
// state shares with others call the same client_state functions; what
// differs is spelled out per state.

namespace holobroker::client {

std::string make_client_id(std::string_view server_id) {
  static std::atomic<std::uint32_t> counter{std::random_device{}()};
  char hex[9];
  std::snprintf(hex, sizeof(hex), "%08x", counter.fetch_add(0x9E3779B9u));
  std::string id{server_id};
  id += "|holobroker|";
  id += hex;
  return id;
}

namespace {

// -- accepting requests (connecting: queued; ready: sent at once) ---------------

enum class intake { queue, send };

/// In `ready` while the link is down: refuse unless configured to wait.
std::optional<caf::error> refuse_while_down(const client_state& st) {
  if (st.link_up || st.cfg.wait_for_reconnect)
    return std::nullopt;
  return make_error(client_errc::disconnected, "server '" + st.cfg.server_id + "' at '"
                                                 + st.cfg.address
                                                 + "' is disconnected (not waiting for reconnect)");
}

/// The one admission path of every request kind: refused while the link is
/// down (send only), prepared, queued, and sent at once when `how` says so.
/// `promise` sets the pending request's response promise, once admitted (a
/// promise made before would take over the answer to a refused request).
/// Answers the request's message id, or why it was not admitted.
template <class Promise>
expected<std::string, caf::error> accept(client_self self, operation_request& req,
                                         request_kind kind, intake how, Promise promise) {
  auto& st = self->state;
  if (how == intake::send)
    if (auto err = refuse_while_down(st))
      return unexpected{std::move(*err)};
  auto prepared = st.prepare(kind, req);
  if (!prepared)
    return unexpected{std::move(prepared).error()};
  pending_request p;
  p.kind = kind;
  promise(p);
  auto id = st.admit(req, std::move(*prepared), std::move(p));
  if (how == intake::send)
    st.flush();
  return id;
}

caf::result<operation_reply> accept_execute(client_self self, operation_request& req,
                                            intake how) {
  auto id = accept(self, req, request_kind::execute, how, [self](pending_request& p) {
    p.reply = weak_promise<operation_reply>{self};
  });
  if (!id)
    return std::move(id).error();
  return caf::delegated<operation_reply>{};
}

caf::result<std::string> accept_split(client_self self, operation_request& req, intake how) {
  auto id = accept(self, req, request_kind::split, how, [](pending_request&) {});
  if (!id)
    return std::move(id).error();
  return std::move(*id);
}

caf::result<std::string> accept_oneway(client_self self, operation_request& req, intake how) {
  auto id = accept(self, req, request_kind::oneway, how, [self](pending_request& p) {
    p.sent_id = weak_promise<std::string>{self};
  });
  if (!id)
    return std::move(id).error();
  return caf::delegated<std::string>{};
}

caf::error timeout_error(const client_state& st, const std::string& what, bool sent,
                         const std::string& id) {
  return make_error(client_errc::timeout, what + " to server '" + st.cfg.server_id + "' at '"
                                            + st.cfg.address + "' (message id " + id + "): no "
                                            + (sent ? "reply" : "connection")
                                            + " before the client deadline");
}

/// What every state does with a link event: a disconnect fails or requeues
/// what was sent; a server that is there (again) resets the send backoff.
/// True when the link came up (what else that means depends on the state).
bool link_came_up(client_state& st, const transport::link_event& ev) {
  st.log(spdlog::level::debug, {}, "link {} ({})", to_string(ev.kind), ev.endpoint);
  if (ev.kind == transport::link_event_kind::disconnected) {
    st.on_disconnect();
    return false;
  }
  if (ev.kind != transport::link_event_kind::connected
      && ev.kind != transport::link_event_kind::ready)
    return false;
  st.link_up = true;
  st.send_backoff.reset();
  return true;
}

void fail_ping(client_self self, const std::string& id) {
  auto& st = self->state;
  st.pings.fail(self, id,
                make_error(client_errc::timeout,
                           "no HANDSHAKE answer from '" + st.cfg.server_id + "'"));
}

/// Starts a handshake run; the first attempt is the state's first message
/// (not sent from here: at spawn the behaviour is not installed yet, and an
/// answer read right away would switch to `ready` before it is).
client_actor_impl::behavior_type start_handshake(client_self self) {
  auto& st = self->state;
  auto run = st.hs.begin(st.now());
  st.timer.after(st.cfg.handshake_timeout, handshake_timeout_atom_v, run);
  caf::anon_send(caf::actor_cast<client_actor_impl>(self), handshake_retry_atom_v,
                 st.hs.current_attempt());
  return connecting(self);
}

} // namespace

// -- connecting ----------------------------------------------------------------------

client_actor_impl::behavior_type connecting(client_self self) {
  return {
    [self](execute_atom, operation_request& req) {
      return accept_execute(self, req, intake::queue);
    },
    [self](send_request_atom, operation_request& req) {
      return accept_split(self, req, intake::queue);
    },
    [self](receive_response_atom, const std::string& id) { return self->state.receive(id); },
    [self](oneway_atom, operation_request& req) {
      return accept_oneway(self, req, intake::queue);
    },
    [self](handshake_atom) -> caf::result<caf::timespan> {
      self->state.hs.wait(weak_promise<caf::timespan>{self});
      return caf::delegated<caf::timespan>{};
    },
    [self](ping_atom) { return self->state.ping(); },
    [self](get_atom, status_atom) { return self->state.status(false); },
    [self](put_atom, const std::string& thing_id, const thing_policy& policy) {
      self->state.set_policy(thing_id, policy);
    },
    [self](delete_atom, const std::string& thing_id) { self->state.drop_policy(thing_id); },
    [self](readable_atom) { self->state.drain(); },
    [self](link_atom, const transport::link_event& ev) {
      auto& st = self->state;
      if (link_came_up(st, ev)) {
        // A server is there now: no need to wait for the backoff.
        st.hs.link_up();
        st.attempt_handshake();
      }
    },
    [self](deadline_atom, std::uint64_t timer) {
      auto& st = self->state;
      st.on_deadline(timer, [&st](const std::string& what, bool, const std::string&) {
        return make_error(client_errc::connection,
                          "unable to contact server '" + st.cfg.server_id + "' at '"
                            + st.cfg.address + "' from client '" + st.cfg.client_id
                            + "' before the deadline of " + what + " (no HANDSHAKE answer after "
                            + std::to_string(st.counters.handshake_attempts) + " attempts)");
      });
    },
    [self](handshake_retry_atom, std::uint64_t attempt) {
      if (self->state.hs.is_current_attempt(attempt))
        self->state.attempt_handshake();
    },
    [self](handshake_timeout_atom, std::uint64_t run) {
      auto& st = self->state;
      if (!st.hs.is_current_run(run))
        return;
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(st.cfg.handshake_timeout);
      auto err = make_error(client_errc::connection,
                            "unable to contact server '" + st.cfg.server_id + "' at '"
                              + st.cfg.address + "' from client '" + st.cfg.client_id
                              + "' within " + std::to_string(ms.count()) + " ms ("
                              + std::to_string(st.hs.attempts_this_run())
                              + " HANDSHAKE attempts)");
      st.log(spdlog::level::warn, {}, "{}", describe(err));
      st.hs.give_up();
      st.hs.notify(self, err);
      st.fail_all(err);
      self->become(failed(self, std::move(err)));
    },
    [self](ping_timeout_atom, const std::string& id) { fail_ping(self, id); },
    [self](send_retry_atom) {
      self->state.send_retry_armed = false; // nothing is sent before the handshake
    },
  };
}

// -- ready -----------------------------------------------------------------------------

client_actor_impl::behavior_type ready(client_self self, caf::timespan handshake_took) {
  return {
    [self](execute_atom, operation_request& req) {
      return accept_execute(self, req, intake::send);
    },
    [self](send_request_atom, operation_request& req) {
      return accept_split(self, req, intake::send);
    },
    [self](receive_response_atom, const std::string& id) { return self->state.receive(id); },
    [self](oneway_atom, operation_request& req) {
      return accept_oneway(self, req, intake::send);
    },
    [handshake_took](handshake_atom) -> caf::result<caf::timespan> { return handshake_took; },
    [self](ping_atom) { return self->state.ping(); },
    [self](get_atom, status_atom) { return self->state.status(true); },
    [self](put_atom, const std::string& thing_id, const thing_policy& policy) {
      self->state.set_policy(thing_id, policy);
    },
    [self](delete_atom, const std::string& thing_id) { self->state.drop_policy(thing_id); },
    [self](readable_atom) { self->state.drain(); },
    [self](link_atom, const transport::link_event& ev) {
      if (link_came_up(self->state, ev))
        self->state.flush();
    },
    [self](deadline_atom, std::uint64_t timer) {
      auto& st = self->state;
      st.on_deadline(timer, [&st](const std::string& what, bool sent, const std::string& id) {
        return timeout_error(st, what, sent, id);
      });
    },
    [](handshake_retry_atom, std::uint64_t) {}, // stale: the handshake is done
    [](handshake_timeout_atom, std::uint64_t) {},
    [self](ping_timeout_atom, const std::string& id) { fail_ping(self, id); },
    [self](send_retry_atom) {
      self->state.send_retry_armed = false;
      self->state.flush();
    },
  };
}

// -- failed ----------------------------------------------------------------------------

client_actor_impl::behavior_type failed(client_self self, caf::error why) {
  return {
    [why](execute_atom, const operation_request&) -> caf::result<operation_reply> {
      return why;
    },
    [why](send_request_atom, const operation_request&) -> caf::result<std::string> {
      return why;
    },
    [self](receive_response_atom, const std::string& id) { return self->state.receive(id); },
    [why](oneway_atom, const operation_request&) -> caf::result<std::string> { return why; },
    [why](handshake_atom) -> caf::result<caf::timespan> { return why; },
    [self, why](ping_atom) -> caf::result<caf::timespan> {
      if (!self->state.transport)
        return why;
      return self->state.ping();
    },
    [self](get_atom, status_atom) { return self->state.status(false); },
    [self](put_atom, const std::string& thing_id, const thing_policy& policy) {
      self->state.set_policy(thing_id, policy);
    },
    [self](delete_atom, const std::string& thing_id) { self->state.drop_policy(thing_id); },
    [self](readable_atom) { self->state.drain(); },
    [self](link_atom, const transport::link_event& ev) {
      auto& st = self->state;
      if (link_came_up(st, ev)) {
        if (st.transport) {
          // The handshake gave up, but a server has (re)appeared: try again.
          st.log(spdlog::level::info, {}, "link up after a failed handshake: handshaking again");
          self->become(start_handshake(self));
        }
      }
    },
    [self](deadline_atom, std::uint64_t timer) {
      // Nothing is accepted here; a timer armed before may still fire.
      auto& st = self->state;
      st.on_deadline(timer, [&st](const std::string& what, bool sent, const std::string& id) {
        return timeout_error(st, what, sent, id);
      });
    },
    [](handshake_retry_atom, std::uint64_t) {}, // stale: the run failed
    [](handshake_timeout_atom, std::uint64_t) {},
    [self](ping_timeout_atom, const std::string& id) { fail_ping(self, id); },
    [self](send_retry_atom) { self->state.send_retry_armed = false; },
  };
}

// -- spawning ----------------------------------------------------------------------------

namespace {

client_actor_impl::behavior_type
client_actor_fn(client_self self, client_config cfg,
                std::shared_ptr<transport::transport_factory> factory) {
  auto& st = self->state;
  if (auto why = st.init(std::move(cfg), factory)) {
    st.log(spdlog::level::err, {}, "{}", *why);
    return failed(self, make_error(client_errc::connection,
                                   "client '" + st.cfg.client_id + "' cannot use server '"
                                     + st.cfg.server_id + "' at '" + st.cfg.address
                                     + "': " + *why));
  }
  return start_handshake(self);
}

} // namespace

client_actor spawn_client(caf::actor_system& sys, client_config cfg,
                          std::shared_ptr<transport::transport_factory> transports) {
  return sys.spawn(client_actor_fn, std::move(cfg), std::move(transports));
}

} // namespace holobroker::client
