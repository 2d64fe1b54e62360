#pragma once

// The state of a client actor, and the behaviours of its three states.
//
//   connecting --HANDSHAKE answered--> ready
//   connecting --handshake timeout---> failed --link up--> connecting
//
// connecting: requests are accepted and queued; HANDSHAKE attempts go out.
// ready:      requests are sent as they come; replies are matched.
// failed:     requests fail at once with the reason (no transport, or no
//             HANDSHAKE answer in time) until the socket monitor reports a
//             server, which starts a new handshake.
// Each state is one behaviour (client_actor.cpp) switched with become();
// what a state alone needs lives in its behaviour's captures.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <caf/actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "client_actor_impl.hpp"
#include "handshake.hpp"
#include "holobroker/client/client_config.hpp"
#include "holobroker/client/client_status.hpp"
#include "holobroker/expected.hpp"
#include "holobroker/transport/transport.hpp"
#include "holobroker/wire/request.hpp"
#include "backoff.hpp"
#include "deadline.hpp"
#include "ping_table.hpp"
#include "reply_cache.hpp"
#include "request_table.hpp"
#include "timers.hpp"
#include "wake.hpp"

namespace holobroker::client {

struct client_state;
using client_self = client_actor_impl::stateful_pointer<client_state>;

struct client_state {
  static inline const char* name = "holobroker.client";

  client_self self = nullptr;
  client_config cfg;

  // The socket and what watches it.
  std::unique_ptr<transport::request_transport> transport;
  wake_flag wake;
  caf::actor monitor;             ///< owns the socket monitor; holds us weakly
  bool link_up = true;            ///< the monitor's view; optimistic until told otherwise
  backoff send_backoff{{}, {}};   ///< retrying sends refused by the socket
  bool send_retry_armed = false;
  bool draining = false;
  bool handshake_answered = false; ///< seen while draining; acted upon after

  timers timer;
  handshake hs{cfg};
  request_table requests{0};
  ping_table pings;
  reply_cache cache{0};
  client_status counters;

  explicit client_state(client_self ptr) : self(ptr) {}
  ~client_state() { shut_down(); }

  /// Takes the configuration, starts the timer relay and opens the socket
  /// and its monitor; an error text when the socket cannot be opened.
  std::optional<std::string> init(client_config config,
                                  const std::shared_ptr<transport::transport_factory>& factory);

  // -- requests --------------------------------------------------------------

  /// Validates `req` and builds its wire request; the error for a request
  /// that cannot be sent (bad_request, busy, disconnected).
  expected<wire::request, caf::error> prepare(request_kind kind, operation_request& req);
  /// Queues a prepared request; returns its message id.
  std::string admit(operation_request& req, wire::request&& wire_req, pending_request&& p);
  /// Sends queued requests while the link allows it.
  void flush();
  /// Ends request `id` with its one outcome (or caches it).
  void complete(const std::string& id, outcome out);
  /// Fails every pending request with `err`.
  void fail_all(const caf::error& err);
  /// The deadline timer `timer_id` fired: ends the requests it is due for
  /// with the error `expired(what, sent, id)` makes.
  template <class F>
  void on_deadline(std::uint64_t timer_id, F expired) {
    for (const auto& id : requests.due(timer_id, now())) {
      ++counters.deadline_expired;
      auto* p = requests.find(id);
      complete(id, expired(p->what(), p->sent, id));
    }
    arm(requests.rearm(now()));
  }
  /// The per-Thing settings of a shared connection (client_actor.hpp).
  void set_policy(const std::string& thing_id, const thing_policy& policy);
  void drop_policy(const std::string& thing_id);
  /// receive_response: the outcome of a split request, now or when it comes.
  caf::result<operation_reply> receive(const std::string& id);

  // -- the socket ------------------------------------------------------------

  /// Reads and dispatches everything the socket holds.
  void drain();
  /// The link broke: fails (or requeues) the requests on the wire.
  void on_disconnect();
  /// One HANDSHAKE attempt of the running handshake (and its retry timer).
  void attempt_handshake();
  /// A HANDSHAKE round trip for ping_atom.
  caf::result<caf::timespan> ping();

  // -- misc ------------------------------------------------------------------

  caf::actor_clock::time_point now() const { return self->clock().now(); }
  void arm(std::optional<request_table::timer_request> t);
  void arm_send_retry();
  client_status status(bool handshake_done) const;
  /// Ends every pending request, waiter and ping with `closed` and closes
  /// the socket (from the destructor: the client may be half destroyed, so
  /// answers go out without a sender).
  void shut_down();

  template <class... Ts>
  void log(spdlog::level::level_enum lvl, std::string_view message_id,
           fmt::format_string<Ts...> fmt, Ts&&... xs) const {
    if (!spdlog::should_log(lvl))
      return;
    spdlog::log(lvl, "[client {} server {}{}{}] {}", cfg.client_id, cfg.server_id,
                message_id.empty() ? "" : " message ", message_id,
                fmt::format(fmt, std::forward<Ts>(xs)...));
  }

private:
  void on_frames(const wire::multipart& frames);
  void on_handshake_reply(const std::string& id);
  void drop(std::string_view id, std::string_view why);
};

// The behaviours (client_actor.cpp).
client_actor_impl::behavior_type connecting(client_self self);
client_actor_impl::behavior_type ready(client_self self, caf::timespan handshake_took);
client_actor_impl::behavior_type failed(client_self self, caf::error why);

} // namespace holobroker::client
