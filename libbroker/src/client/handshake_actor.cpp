#include "handshake_actor.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>

#include <caf/event_based_actor.hpp>
#include <caf/local_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "holobroker/client/error.hpp"

namespace holobroker::client {

namespace {

struct handshake_state {
  static inline const char* name = "holobroker.handshake";
  client_actor_impl client;
  client_config cfg;
  caf::timespan backoff{0};
  std::uint64_t generation = 0; ///< stale retry timers carry an older generation
  std::uint64_t attempts = 0;
  bool done = false;
};

using handshake_self = caf::stateful_actor<handshake_state>*;

void attempt(handshake_self self) {
  auto& st = self->state;
  if (st.done)
    return;
  auto gen = ++st.generation;
  ++st.attempts;
  // Without an answer in time, send a fresh HANDSHAKE (new message id).
  self->delayed_send(self, st.cfg.handshake_resend_after, attempt_atom_v, gen);
  self->request(st.client, caf::infinite, handshake_atom_v, attempt_atom_v)
    .then(
      [self](bool answered) {
        auto& st = self->state;
        if (answered && !st.done) {
          st.done = true;
          self->quit();
        }
      },
      [self, gen](caf::error&) {
        // Unroutable: the link is not up yet. Retry soon, backing off.
        auto& st = self->state;
        if (st.done || gen != st.generation)
          return;
        auto delay = st.backoff;
        st.backoff = std::min(st.backoff * 2, st.cfg.handshake_retry_max);
        self->delayed_send(self, delay, attempt_atom_v, ++st.generation);
      });
}

caf::behavior handshake_actor(handshake_self self, client_actor_impl client,
                              client_config cfg) {
  auto& st = self->state;
  st.client = std::move(client);
  st.cfg = std::move(cfg);
  st.backoff = std::max(st.cfg.handshake_retry_min, caf::timespan{1});
  self->delayed_send(self, st.cfg.handshake_timeout, caf::timeout_atom_v);
  attempt(self);
  return {
    [self](attempt_atom, std::uint64_t gen) {
      if (gen == self->state.generation)
        attempt(self);
    },
    [self](attempt_atom) {
      // The link just became ready: no need to wait for the backoff.
      self->state.backoff = std::max(self->state.cfg.handshake_retry_min, caf::timespan{1});
      attempt(self);
    },
    [self](caf::timeout_atom) {
      auto& st = self->state;
      if (st.done)
        return;
      st.done = true;
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(st.cfg.handshake_timeout);
      auto what = "unable to contact server '" + st.cfg.server_id + "' at '" + st.cfg.address
                  + "' from client '" + st.cfg.client_id + "' within "
                  + std::to_string(ms.count()) + " ms (" + std::to_string(st.attempts)
                  + " HANDSHAKE attempts)";
      self->send(st.client, handshake_atom_v, make_error(client_errc::connection, what));
      self->quit();
    },
  };
}

} // namespace

caf::actor spawn_handshake_actor(caf::local_actor* parent, client_actor_impl client,
                                 const client_config& cfg) {
  return parent->spawn(handshake_actor, std::move(client), cfg);
}

} // namespace holobroker::client
