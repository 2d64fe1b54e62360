#include "holobroker/client/client_actor.hpp"

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <random>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "client_actor_impl.hpp"
#include "deadline.hpp"
#include "handshake_actor.hpp"
#include "holobroker/client/error.hpp"
#include "holobroker/client/type_ids.hpp"
#include "holobroker/transport/transport.hpp"
#include "holobroker/wire/remote_exception.hpp"
#include "holobroker/wire/request.hpp"
#include "holobroker/wire/requests.hpp"
#include "holobroker/wire/response.hpp"
#include "holobroker/wire/timeout.hpp"
#include "monitor_actor.hpp"
#include "reply_cache.hpp"
#include "wake.hpp"

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

using time_point = caf::actor_clock::time_point;

/// Deadlines of pending requests, earliest first (message ids).
using deadline_map = std::multimap<time_point, std::string>;

enum class request_kind { execute, split, oneway };

struct pending_request {
  request_kind kind = request_kind::execute;
  std::string thing_id;
  std::string objekt;
  std::string operation;
  wire::multipart frames; ///< crafted once, resent as is after a reconnect
  caf::typed_response_promise<operation_reply> reply_promise;           // execute
  caf::typed_response_promise<std::string> id_promise;                  // oneway
  std::vector<caf::typed_response_promise<operation_reply>> receivers; // split
  deadline_map::iterator deadline; ///< this request's entry in client_state::deadlines
  bool sent = false;
  bool retried = false;
};

struct pending_ping {
  caf::typed_response_promise<caf::timespan> promise;
  time_point start;
};

struct client_state;
using client_self = client_actor_impl::stateful_pointer<client_state>;

enum class phase { handshaking, ready, failed };

struct client_state {
  static inline const char* name = "holobroker.client";

  client_self self = nullptr;
  client_config cfg;
  std::unique_ptr<transport::request_transport> transport;
  wake_flag wake;
  caf::actor handshaker;
  caf::actor monitor;

  phase state = phase::handshaking;
  caf::error failure;            ///< why phase::failed
  bool link_up = true;           ///< monitor view; optimistic until told otherwise
  time_point started;
  caf::timespan handshake_took{0};
  bool retry_timer_armed = false;
  caf::timespan retry_delay{0};
  bool draining = false;
  bool flush_after_drain = false;

  std::unordered_map<std::string, pending_request> requests; ///< by message id
  // One CAF timer for all request deadlines: scheduling a delayed message
  // locks CAF's clock and wakes its thread, too costly once per request.
  deadline_map deadlines;
  bool deadline_timer_armed = false;
  time_point deadline_timer_at;      ///< when the armed timer fires
  std::uint64_t deadline_timer_id = 0; ///< of the armed timer; older ones are stale
  std::deque<std::string> send_queue;
  std::unordered_map<std::string, caf::typed_response_promise<bool>> handshakes;
  std::unordered_set<std::string> superseded_handshakes; ///< answered late, not counted
  std::unordered_map<std::string, pending_ping> pings;
  std::vector<caf::typed_response_promise<caf::timespan>> handshake_waiters;
  reply_cache cache{0};
  client_status counters;

  ~client_state() { shut_down(); }

  // -- logging ---------------------------------------------------------------

  template <class... Ts>
  void log(spdlog::level::level_enum lvl, std::string_view message_id,
           fmt::format_string<Ts...> fmt, Ts&&... xs) const {
    if (!spdlog::should_log(lvl))
      return;
    spdlog::log(lvl, "[client {} server {}{}{}] {}", cfg.client_id, cfg.server_id,
                message_id.empty() ? "" : " message ", message_id,
                fmt::format(fmt, std::forward<Ts>(xs)...));
  }

  std::string who(const pending_request& p) const {
    return p.operation + " " + p.thing_id + "/" + p.objekt;
  }

  caf::timespan since_start() const { return self->clock().now() - started; }

  // -- setup -------------------------------------------------------------------

  void init(client_self ptr, client_config config,
            const std::shared_ptr<transport::transport_factory>& factory) {
    self = ptr;
    cfg = std::move(config);
    if (cfg.client_id.empty())
      cfg.client_id = make_client_id(cfg.server_id);
    cache = reply_cache{cfg.reply_cache_capacity};
    counters.client_id = cfg.client_id;
    counters.server_id = cfg.server_id;
    counters.address = cfg.address;
    started = self->clock().now();
    retry_delay = cfg.handshake_retry_min;
    if (!factory) {
      fail_connection("no transport factory given");
      return;
    }
    auto opened = factory->open_request(cfg.client_id, cfg.address);
    if (!opened) {
      fail_connection(opened.error());
      return;
    }
    transport = std::move(*opened);
    auto weak_self = caf::actor_cast<caf::weak_actor_ptr>(self);
    if (auto mon = transport->open_monitor())
      monitor = spawn_monitor_actor(self, weak_self,
                                    std::shared_ptr<transport::link_monitor>{std::move(mon)});
    transport->watch(wake.callback_for(weak_self));
    handshaker = spawn_handshake_actor(self, caf::actor_cast<client_actor_impl>(self), cfg);
    log(spdlog::level::debug, {}, "connecting to {}", cfg.address);
  }

  void fail_connection(const std::string& why) {
    state = phase::failed;
    failure = make_error(client_errc::connection,
                         "client '" + cfg.client_id + "' cannot use server '" + cfg.server_id
                           + "' at '" + cfg.address + "': " + why);
    log(spdlog::level::err, {}, "{}", why);
  }

  /// Ends every pending request and waiter with `closed` (idempotent).
  void shut_down() {
    if (!self)
      return;
    auto err = make_error(client_errc::closed, "client '" + cfg.client_id + "' shut down");
    for (auto& [id, p] : requests)
      deliver(p, err);
    requests.clear();
    deadlines.clear();
    send_queue.clear();
    for (auto& [id, rp] : handshakes)
      rp.deliver(err);
    handshakes.clear();
    for (auto& [id, ping] : pings)
      ping.promise.deliver(err);
    pings.clear();
    for (auto& rp : handshake_waiters)
      rp.deliver(err);
    handshake_waiters.clear();
    if (handshaker)
      caf::anon_send_exit(handshaker, caf::exit_reason::user_shutdown);
    if (monitor)
      caf::anon_send_exit(monitor, caf::exit_reason::user_shutdown);
    transport.reset();
    self = nullptr;
  }

  // -- accepting requests ----------------------------------------------------------

  /// Validates and queues a request; returns its message id or an error.
  expected<std::string, caf::error> accept(request_kind kind, operation_request req,
                                           caf::typed_response_promise<operation_reply> rp,
                                           caf::typed_response_promise<std::string> id_rp) {
    if (state == phase::failed)
      return unexpected<caf::error>{failure};
    if (req.operation.empty())
      return unexpected<caf::error>{
        make_error(client_errc::bad_request, "the operation name is empty")};
    if (req.payload.empty())
      return unexpected<caf::error>{make_error(
        client_errc::bad_request, "the payload frame is empty; send JSON null for no payload")};
    if (requests.size() >= cfg.max_in_flight) {
      ++counters.busy_rejected;
      return unexpected<caf::error>{make_error(
        client_errc::busy, std::to_string(requests.size()) + " requests in flight to server '"
                             + cfg.server_id + "' (limit " + std::to_string(cfg.max_in_flight)
                             + ")")};
    }
    if (state == phase::ready && !link_up && !cfg.wait_for_reconnect)
      return unexpected<caf::error>{make_error(
        client_errc::disconnected, "server '" + cfg.server_id + "' at '" + cfg.address
                                     + "' is disconnected (not waiting for reconnect)")};
    if (kind == request_kind::oneway)
      req.options.server_context.oneway = true;
    auto wire_req = wire::make_operation(cfg.client_id, cfg.server_id, req.thing_id, req.objekt,
                                         req.operation, req.payload,
                                         req.options.server_context, req.options.thing_context,
                                         req.preserialized);
    if (auto err = wire::set_objekt_json(wire_req.header, req.objekt_json))
      return unexpected<caf::error>{make_error(client_errc::bad_request, err->what)};
    // Sent as given: the broker forwards what its clients declared.
    wire_req.header.payload_content_type = std::move(req.payload_content_type);
    wire_req.header.preencoded_payload_content_type
      = std::move(req.preencoded_payload_content_type);
    auto id = wire_req.header.message_id;
    pending_request p;
    p.kind = kind;
    p.thing_id = std::move(req.thing_id);
    p.objekt = req.objekt_json.empty() ? std::move(req.objekt) : std::move(req.objekt_json);
    p.operation = std::move(req.operation);
    p.frames = wire::craft_request(cfg.server_id, wire_req);
    p.reply_promise = std::move(rp);
    p.id_promise = std::move(id_rp);
    auto deadline = deadline_of(req.options, cfg);
    p.deadline = deadlines.emplace(self->clock().now() + deadline, id);
    arm_deadline_timer();
    log(spdlog::level::trace, id, "accepted {} (deadline {} ms)", who(p),
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline).count());
    requests.emplace(id, std::move(p));
    send_queue.push_back(id);
    flush();
    return id;
  }

  // -- sending ------------------------------------------------------------------

  /// Sends queued requests while the link allows it.
  void flush() {
    if (state != phase::ready || !transport)
      return;
    bool sent_any = false;
    while (!send_queue.empty() && link_up) {
      auto i = requests.find(send_queue.front());
      if (i == requests.end() || i->second.sent) {
        send_queue.pop_front();
        continue;
      }
      auto& p = i->second;
      auto result = transport->send(p.frames);
      if (result != transport::send_result::sent) {
        if (result == transport::send_result::unroutable && !cfg.wait_for_reconnect) {
          auto id = i->first;
          send_queue.pop_front();
          complete(id, make_error(client_errc::disconnected,
                                  "server '" + cfg.server_id + "' is not connected"));
          continue;
        }
        log(spdlog::level::debug, i->first, "send {}: retrying later",
            result == transport::send_result::unroutable ? "unroutable" : "would block");
        arm_retry();
        break;
      }
      sent_any = true;
      ++counters.requests_sent;
      p.sent = true;
      auto id = i->first;
      send_queue.pop_front();
      log(spdlog::level::trace, id, "sent {}", who(p));
      if (p.kind == request_kind::oneway) {
        p.id_promise.deliver(id);
        forget(i);
      }
    }
    if (sent_any)
      drain(); // a send may have consumed the ZMQ_FD edge
  }

  void arm_retry() {
    if (retry_timer_armed)
      return;
    retry_timer_armed = true;
    self->delayed_send(self, retry_delay, connected_atom_v);
    retry_delay = std::min(retry_delay * 2, cfg.handshake_retry_max);
  }

  // -- receiving ------------------------------------------------------------

  void drain() {
    if (!transport)
      return;
    if (draining) {
      return;
    }
    draining = true;
    wake.clear();
    while (auto frames = transport->receive())
      on_frames(*frames);
    draining = false;
    if (flush_after_drain) {
      flush_after_drain = false;
      flush();
    }
  }

  void drop(std::string_view id, std::string_view why) {
    ++counters.replies_dropped;
    log(spdlog::level::debug, id, "dropped a reply: {}", why);
  }

  void on_frames(const wire::multipart& frames) {
    auto parsed = wire::parse_response(frames);
    if (!parsed) {
      drop({}, parsed.error().to_string());
      return;
    }
    auto& res = *parsed;
    const auto& id = res.header.message_id;
    switch (res.header.type) {
      case wire::message_type::handshake:
        on_handshake_reply(id);
        return;
      case wire::message_type::reply:
      case wire::message_type::exception:
      case wire::message_type::invalid_message:
      case wire::message_type::timeout:
        break;
      default:
        drop(id, "unexpected message type " + std::string{to_string(res.header.type)});
        return;
    }
    auto i = requests.find(id);
    if (i == requests.end() || !i->second.sent) {
      drop(id, std::string{to_string(res.header.type)} + " for a message id nobody waits for");
      return;
    }
    ++counters.replies_matched;
    complete(id, to_outcome(i->second, res));
  }

  outcome to_outcome(const pending_request& p, wire::response& res) {
    const auto& id = res.header.message_id;
    switch (res.header.type) {
      case wire::message_type::reply: {
        operation_reply reply;
        reply.message_id = id;
        reply.payload = std::move(res.payload);
        reply.preserialized = std::move(res.preserialized);
        reply.payload_content_type = std::move(res.header.payload_content_type);
        reply.preencoded_payload_content_type
          = std::move(res.header.preencoded_payload_content_type);
        return reply;
      }
      case wire::message_type::exception:
      case wire::message_type::invalid_message: {
        auto code = res.header.type == wire::message_type::exception
                      ? client_errc::remote_exception
                      : client_errc::invalid_message;
        auto ex = wire::parse_remote_exception(res.payload.view());
        if (!ex)
          return make_error(client_errc::bad_response,
                            who(p) + " (message id " + id + "): "
                              + std::string{to_string(res.header.type)}
                              + " with an unreadable payload: " + ex.error().to_string());
        auto what = who(p) + " on server '" + cfg.server_id + "' (message id " + id
                    + ") raised " + ex->type + ": " + ex->message;
        return make_error(code, std::move(what), std::move(*ex));
      }
      default: { // timeout
        auto kind = wire::parse_timeout_payload(res.payload.view());
        if (!kind)
          return make_error(client_errc::bad_response,
                            who(p) + " (message id " + id
                              + "): TIMEOUT with an unreadable payload: "
                              + kind.error().to_string());
        auto name = std::string{wire::to_string(*kind)};
        auto what = who(p) + " on server '" + cfg.server_id + "' (message id " + id + "): "
                    + name + " timeout";
        return caf::error{static_cast<uint8_t>(client_errc::server_timeout), error_category,
                          caf::make_message(std::move(what), std::move(name))};
      }
    }
  }

  void deliver(pending_request& p, const outcome& out) {
    switch (p.kind) {
      case request_kind::execute:
        std::visit([&](const auto& x) { p.reply_promise.deliver(x); }, out);
        return;
      case request_kind::oneway:
        if (auto err = std::get_if<caf::error>(&out))
          p.id_promise.deliver(*err);
        return;
      case request_kind::split:
        for (auto& rp : p.receivers)
          std::visit([&](const auto& x) { rp.deliver(x); }, out);
        return;
    }
  }

  /// Removes a request and its deadline.
  void forget(std::unordered_map<std::string, pending_request>::iterator i) {
    deadlines.erase(i->second.deadline);
    requests.erase(i);
  }

  /// Ends a request with its one outcome.
  void complete(const std::string& id, outcome out) {
    auto i = requests.find(id);
    if (i == requests.end())
      return;
    auto p = std::move(i->second);
    forget(i);
    if (auto err = std::get_if<caf::error>(&out))
      log(spdlog::level::debug, id, "{} failed: {}", who(p), describe(*err));
    if (p.kind == request_kind::split && p.receivers.empty()) {
      if (cache.put(id, std::move(out)))
        ++counters.cache_evictions;
      return;
    }
    deliver(p, out);
  }

  // -- handshake -----------------------------------------------------------------

  caf::result<bool> handshake_attempt() {
    if (!transport)
      return failure;
    ++counters.handshake_attempts;
    auto req = wire::make_handshake(cfg.client_id, cfg.server_id);
    auto id = req.header.message_id;
    auto result = transport->send(wire::craft_request(cfg.server_id, req));
    if (result != transport::send_result::sent)
      return make_error(client_errc::connection, "HANDSHAKE to server '" + cfg.server_id
                                                   + "' not routable yet");
    log(spdlog::level::trace, id, "HANDSHAKE sent");
    auto rp = self->make_response_promise<bool>();
    handshakes.emplace(id, rp);
    drain();
    return rp;
  }

  void on_handshake_reply(const std::string& id) {
    if (auto i = pings.find(id); i != pings.end()) {
      i->second.promise.deliver(caf::timespan{self->clock().now() - i->second.start});
      pings.erase(i);
      return;
    }
    auto i = handshakes.find(id);
    if (i == handshakes.end()) {
      // Answers to superseded attempts are expected, not dropped replies.
      if (superseded_handshakes.erase(id) == 0)
        drop(id, "HANDSHAKE reply for an attempt nobody waits for");
      return;
    }
    i->second.deliver(true);
    handshakes.erase(i);
    if (superseded_handshakes.size() > 64)
      superseded_handshakes.clear();
    for (auto& [other, rp] : handshakes) {
      rp.deliver(false);
      superseded_handshakes.insert(other);
    }
    handshakes.clear();
    if (state != phase::handshaking)
      return;
    state = phase::ready;
    handshake_took = since_start();
    log(spdlog::level::info, id, "handshake with {} done in {} us after {} attempt(s)",
        cfg.address, std::chrono::duration_cast<std::chrono::microseconds>(handshake_took).count(),
        counters.handshake_attempts);
    for (auto& rp : handshake_waiters)
      rp.deliver(handshake_took);
    handshake_waiters.clear();
    if (draining)
      flush_after_drain = true;
    else
      flush();
  }

  void on_handshake_failed(const caf::error& err) {
    if (state != phase::handshaking)
      return;
    state = phase::failed;
    failure = err;
    log(spdlog::level::warn, {}, "{}", describe(err));
    for (auto& rp : handshake_waiters)
      rp.deliver(err);
    handshake_waiters.clear();
    for (auto& [id, rp] : handshakes)
      rp.deliver(err);
    handshakes.clear();
    std::vector<std::string> ids;
    for (auto& [id, p] : requests)
      ids.push_back(id);
    for (auto& id : ids)
      complete(id, err);
    send_queue.clear();
  }

  // -- link events -----------------------------------------------------------------

  void on_link(const transport::link_event& ev) {
    log(spdlog::level::debug, {}, "link {} ({})", to_string(ev.kind), ev.endpoint);
    switch (ev.kind) {
      case transport::link_event_kind::disconnected:
        on_disconnect();
        return;
      case transport::link_event_kind::connected:
      case transport::link_event_kind::ready:
        link_up = true;
        retry_delay = cfg.handshake_retry_min;
        if (state == phase::failed && transport) {
          // The handshake gave up, but a server has (re)appeared: try again.
          log(spdlog::level::info, {}, "link up after a failed handshake: handshaking again");
          state = phase::handshaking;
          failure = caf::error{};
          started = self->clock().now();
          handshaker
            = spawn_handshake_actor(self, caf::actor_cast<client_actor_impl>(self), cfg);
        } else if (state == phase::handshaking && handshaker) {
          caf::anon_send(handshaker, attempt_atom_v);
        }
        flush();
        return;
      default:
        return;
    }
  }

  void on_disconnect() {
    ++counters.disconnects;
    // Replies that arrived before the link broke are still in the socket.
    drain();
    link_up = false;
    // Only requests on the wire are lost; an idle disconnect fails nothing.
    std::vector<std::string> lost;
    for (auto& [id, p] : requests) {
      if (!p.sent)
        continue;
      if (p.operation == wire::op::read_property && !p.retried
          && cfg.policy_for(p.thing_id).retry_reads_after_reconnect) {
        p.sent = false;
        p.retried = true;
        send_queue.push_front(id);
        log(spdlog::level::debug, id, "{} will be sent again after the reconnect", who(p));
        continue;
      }
      lost.push_back(id);
    }
    if (!lost.empty() || !send_queue.empty())
      log(spdlog::level::warn, {}, "server disconnected: failing {} request(s) in flight",
          lost.size());
    for (auto& id : lost)
      complete(id, make_error(client_errc::disconnected,
                              "server '" + cfg.server_id + "' at '" + cfg.address
                                + "' disconnected (message id " + id + ")"));
    if (!cfg.wait_for_reconnect) {
      std::vector<std::string> queued{send_queue.begin(), send_queue.end()};
      send_queue.clear();
      for (auto& id : queued)
        complete(id, make_error(client_errc::disconnected,
                                "server '" + cfg.server_id + "' disconnected"));
    }
  }

  // -- deadlines -------------------------------------------------------------------

  /// Keeps the one deadline timer armed for the earliest deadline. Fires
  /// late at most once per completed earliest request (then re-arms), so
  /// with uniform deadlines a new request never schedules a timer.
  void arm_deadline_timer() {
    if (deadlines.empty())
      return;
    auto earliest = deadlines.begin()->first;
    if (deadline_timer_armed && deadline_timer_at <= earliest)
      return;
    deadline_timer_armed = true;
    deadline_timer_at = earliest;
    auto now = self->clock().now();
    auto delay = earliest > now ? caf::timespan{earliest - now} : caf::timespan{0};
    self->delayed_send(self, delay, deadline_atom_v, ++deadline_timer_id);
  }

  /// The deadline timer `timer_id` fired: expires every request whose
  /// deadline has passed, then re-arms for the next one.
  void on_deadline_timer(std::uint64_t timer_id) {
    if (!deadline_timer_armed || timer_id != deadline_timer_id)
      return; // superseded by an earlier deadline, which re-armed already
    deadline_timer_armed = false;
    auto now = self->clock().now();
    while (!deadlines.empty() && deadlines.begin()->first <= now) {
      auto id = deadlines.begin()->second; // copy: expire() erases the entry
      expire(id);
    }
    arm_deadline_timer();
  }

  void on_ping_deadline(const std::string& id) {
    if (auto i = pings.find(id); i != pings.end()) {
      i->second.promise.deliver(make_error(client_errc::timeout, "no HANDSHAKE answer from '"
                                                                   + cfg.server_id + "'"));
      pings.erase(i);
    }
  }

  /// Ends request `id` with the error for a passed deadline.
  void expire(const std::string& id) {
    auto i = requests.find(id);
    if (i == requests.end()) {
      // Not reachable: forget() erases a request's deadline with it.
      log(spdlog::level::err, id, "deadline of an unknown request");
      deadlines.erase(deadlines.begin());
      return;
    }
    ++counters.deadline_expired;
    if (state == phase::handshaking) {
      complete(id, make_error(client_errc::connection,
                              "unable to contact server '" + cfg.server_id + "' at '"
                                + cfg.address + "' from client '" + cfg.client_id
                                + "' before the deadline of " + who(i->second)
                                + " (no HANDSHAKE answer after "
                                + std::to_string(counters.handshake_attempts) + " attempts)"));
      return;
    }
    auto what = who(i->second) + " to server '" + cfg.server_id + "' at '" + cfg.address
                + "' (message id " + id + "): no "
                + (i->second.sent ? "reply" : "connection") + " before the client deadline";
    complete(id, make_error(client_errc::timeout, std::move(what)));
  }

  client_status status() const {
    auto s = counters;
    s.handshake_done = state == phase::ready;
    s.connected = link_up && state == phase::ready;
    s.in_flight = 0;
    for (auto& [id, p] : requests)
      s.in_flight += p.sent ? 1 : 0;
    s.waiting_to_send = requests.size() - s.in_flight;
    s.cached_replies = cache.size();
    return s;
  }
};

client_actor_impl::behavior_type
client_actor_fn(client_self self, client_config cfg,
                std::shared_ptr<transport::transport_factory> factory) {
  self->state.init(self, std::move(cfg), factory);
  return {
    [self](execute_atom, operation_request& req) -> caf::result<operation_reply> {
      // Once a promise exists, CAF ignores returned values: errors go through it.
      auto rp = self->make_response_promise<operation_reply>();
      auto id = self->state.accept(request_kind::execute, std::move(req), rp, {});
      if (!id)
        rp.deliver(std::move(id).error());
      return rp;
    },
    [self](send_request_atom, operation_request& req) -> caf::result<std::string> {
      auto id = self->state.accept(request_kind::split, std::move(req), {}, {});
      if (!id)
        return std::move(id).error();
      return *id;
    },
    [self](receive_response_atom, const std::string& id) -> caf::result<operation_reply> {
      auto& st = self->state;
      if (auto i = st.requests.find(id);
          i != st.requests.end() && i->second.kind == request_kind::split) {
        auto rp = self->make_response_promise<operation_reply>();
        i->second.receivers.push_back(rp);
        return rp;
      }
      if (auto out = st.cache.take(id)) {
        if (auto err = std::get_if<caf::error>(&*out))
          return std::move(*err);
        return std::get<operation_reply>(std::move(*out));
      }
      return make_error(client_errc::unknown_message,
                        "no request with message id " + id + " is pending or cached");
    },
    [self](oneway_atom, operation_request& req) -> caf::result<std::string> {
      auto rp = self->make_response_promise<std::string>();
      auto id = self->state.accept(request_kind::oneway, std::move(req), {}, rp);
      if (!id)
        rp.deliver(std::move(id).error());
      return rp;
    },
    [self](handshake_atom) -> caf::result<caf::timespan> {
      auto& st = self->state;
      if (st.state == phase::ready)
        return st.handshake_took;
      if (st.state == phase::failed)
        return st.failure;
      auto rp = self->make_response_promise<caf::timespan>();
      st.handshake_waiters.push_back(rp);
      return rp;
    },
    [self](ping_atom) -> caf::result<caf::timespan> {
      auto& st = self->state;
      if (!st.transport)
        return st.failure;
      auto req = wire::make_handshake(st.cfg.client_id, st.cfg.server_id);
      auto id = req.header.message_id;
      if (st.transport->send(wire::craft_request(st.cfg.server_id, req))
          != transport::send_result::sent)
        return make_error(client_errc::disconnected,
                          "server '" + st.cfg.server_id + "' is not connected");
      auto rp = self->make_response_promise<caf::timespan>();
      st.pings.emplace(id, pending_ping{rp, self->clock().now()});
      self->delayed_send(self, st.cfg.ping_timeout, deadline_atom_v, id);
      st.drain();
      return rp;
    },
    [self](get_atom, status_atom) { return self->state.status(); },
    [self](readable_atom) { self->state.drain(); },
    [self](link_atom, const transport::link_event& ev) { self->state.on_link(ev); },
    [self](handshake_atom, attempt_atom) { return self->state.handshake_attempt(); },
    [self](handshake_atom, const caf::error& err) { self->state.on_handshake_failed(err); },
    [self](deadline_atom, const std::string& id) { self->state.on_ping_deadline(id); },
    [self](deadline_atom, std::uint64_t timer_id) { self->state.on_deadline_timer(timer_id); },
    [self](connected_atom) {
      self->state.retry_timer_armed = false;
      self->state.flush();
    },
  };
}

} // namespace

client_actor spawn_client(caf::actor_system& sys, client_config cfg,
                          std::shared_ptr<transport::transport_factory> transports) {
  return sys.spawn(client_actor_fn, std::move(cfg), std::move(transports));
}

} // namespace holobroker::client
