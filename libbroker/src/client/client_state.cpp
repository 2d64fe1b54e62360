#include "client_state.hpp"

#include <chrono>
#include <utility>
#include <vector>

#include "holobroker/client/error.hpp"
#include "holobroker/wire/requests.hpp"
#include "holobroker/wire/response.hpp"
#include "monitor_actor.hpp"

namespace holobroker::client {

std::optional<std::string>
client_state::init(client_config config,
                   const std::shared_ptr<transport::transport_factory>& factory) {
  cfg = std::move(config);
  if (cfg.client_id.empty())
    cfg.client_id = make_client_id(cfg.server_id);
  hs = handshake{cfg};
  requests = request_table{cfg.max_in_flight};
  cache = reply_cache{cfg.reply_cache_capacity};
  send_backoff = backoff{cfg.handshake_retry_min, cfg.handshake_retry_max};
  counters.client_id = cfg.client_id;
  counters.server_id = cfg.server_id;
  counters.address = cfg.address;
  timer.start(self);
  if (!factory)
    return "no transport factory given";
  auto opened = factory->open_request(cfg.client_id, cfg.address);
  if (!opened)
    return opened.error();
  transport = std::move(*opened);
  // Both helpers hold the client weakly: its users' handles alone keep it.
  auto weak_self = caf::actor_cast<caf::weak_actor_ptr>(self);
  if (auto mon = transport->open_monitor())
    monitor = spawn_monitor_actor(self, weak_self,
                                  std::shared_ptr<transport::link_monitor>{std::move(mon)});
  transport->watch(wake.callback_for(weak_self));
  log(spdlog::level::debug, {}, "connecting to {}", cfg.address);
  return std::nullopt;
}

// -- requests ----------------------------------------------------------------

expected<wire::request, caf::error> client_state::prepare(request_kind kind,
                                                          operation_request& req) {
  if (req.operation.empty())
    return unexpected<caf::error>{
      make_error(client_errc::bad_request, "the operation name is empty")};
  if (req.payload.empty())
    return unexpected<caf::error>{make_error(
      client_errc::bad_request, "the payload frame is empty; send JSON null for no payload")};
  if (requests.full()) {
    ++counters.busy_rejected;
    return unexpected<caf::error>{make_error(
      client_errc::busy, std::to_string(requests.size()) + " requests in flight to server '"
                           + cfg.server_id + "' (limit " + std::to_string(cfg.max_in_flight)
                           + ")")};
  }
  if (auto limit = cfg.policy_for(req.thing_id).max_in_flight;
      limit != 0 && requests.count_for(req.thing_id) >= limit) {
    ++counters.busy_rejected;
    return unexpected<caf::error>{make_error(
      client_errc::busy, std::to_string(limit) + " requests in flight to Thing '" + req.thing_id
                           + "' on server '" + cfg.server_id + "' (its limit)")};
  }
  if (kind == request_kind::oneway)
    req.options.server_context.oneway = true;
  auto wire_req = wire::make_operation(cfg.client_id, cfg.server_id, req.thing_id, req.objekt,
                                       req.operation, req.payload, req.options.server_context,
                                       req.options.thing_context, req.preserialized);
  if (auto err = wire::set_objekt_json(wire_req.header, req.objekt_json))
    return unexpected<caf::error>{make_error(client_errc::bad_request, err->what)};
  // Sent as given: the broker forwards what its clients declared.
  wire_req.header.payload_content_type = std::move(req.payload_content_type);
  wire_req.header.preencoded_payload_content_type
    = std::move(req.preencoded_payload_content_type);
  return wire_req;
}

void client_state::set_policy(const std::string& thing_id, const thing_policy& policy) {
  cfg.thing_policies.insert_or_assign(thing_id, policy);
  log(spdlog::level::debug, {}, "serving Thing {}", thing_id);
}

void client_state::drop_policy(const std::string& thing_id) {
  cfg.thing_policies.erase(thing_id);
  log(spdlog::level::debug, {}, "no longer serving Thing {}", thing_id);
}

std::string client_state::admit(operation_request& req, wire::request&& wire_req,
                                pending_request&& p) {
  auto id = wire_req.header.message_id;
  p.frames = wire::craft_request(cfg.server_id, wire_req);
  p.operation = std::move(req.operation);
  p.thing_id = std::move(req.thing_id);
  p.objekt = req.objekt_json.empty() ? std::move(req.objekt) : std::move(req.objekt_json);
  auto deadline = deadline_of(req.options, cfg, p.thing_id);
  log(spdlog::level::trace, id, "accepted {} (deadline {} ms)", p.what(),
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline).count());
  auto t = now();
  arm(requests.add(id, std::move(p), t + deadline, t));
  return id;
}

void client_state::flush() {
  if (!transport)
    return;
  bool sent_any = false;
  const std::string* id = nullptr;
  while (link_up) {
    auto* p = requests.front_unsent(id);
    if (p == nullptr)
      break;
    auto result = transport->send(p->frames);
    if (result != transport::send_result::sent) {
      if (result == transport::send_result::unroutable && !cfg.wait_for_reconnect) {
        auto failed_id = *id;
        requests.pop_unsent();
        complete(failed_id, make_error(client_errc::disconnected,
                                       "server '" + cfg.server_id + "' is not connected"));
        continue;
      }
      log(spdlog::level::debug, *id, "send {}: retrying later",
          result == transport::send_result::unroutable ? "unroutable" : "would block");
      arm_send_retry();
      break;
    }
    sent_any = true;
    ++counters.requests_sent;
    p->sent = true;
    auto sent_id = *id; // the oneway case below erases the entry *id lives in
    requests.pop_unsent();
    log(spdlog::level::trace, sent_id, "sent {}", p->what());
    if (p->kind == request_kind::oneway) {
      p->sent_id.deliver(self, sent_id);
      requests.take(sent_id);
    }
  }
  if (sent_any)
    drain(); // a send may have consumed the ZMQ_FD edge
}

void client_state::complete(const std::string& id, outcome out) {
  auto p = requests.take(id);
  if (!p)
    return;
  if (auto err = std::get_if<caf::error>(&out))
    log(spdlog::level::debug, id, "{} failed: {}", p->what(), describe(*err));
  if (p->kind == request_kind::split && p->receivers.empty()) {
    if (cache.put(id, std::move(out)))
      ++counters.cache_evictions;
    return;
  }
  p->deliver(self, out);
}

void client_state::fail_all(const caf::error& err) {
  for (const auto& id : requests.ids())
    complete(id, err);
}

caf::result<operation_reply> client_state::receive(const std::string& id) {
  if (auto* p = requests.find(id); p != nullptr && p->kind == request_kind::split) {
    p->receivers.emplace_back(self);
    return caf::delegated<operation_reply>{};
  }
  if (auto out = cache.take(id)) {
    if (auto err = std::get_if<caf::error>(&*out))
      return std::move(*err);
    return std::get<operation_reply>(std::move(*out));
  }
  return make_error(client_errc::unknown_message,
                    "no request with message id " + id + " is pending or cached");
}

// -- the socket ----------------------------------------------------------------

void client_state::drain() {
  if (!transport || draining)
    return;
  draining = true;
  wake.clear();
  while (auto frames = transport->receive())
    on_frames(*frames);
  draining = false;
  // Acted upon after the loop: entering `ready` sends the queued requests,
  // which drains again.
  if (handshake_answered) {
    handshake_answered = false;
    auto took = hs.elapsed(now());
    log(spdlog::level::info, {}, "handshake with {} done in {} us after {} attempt(s)",
        cfg.address, std::chrono::duration_cast<std::chrono::microseconds>(took).count(),
        counters.handshake_attempts);
    hs.notify(self, took);
    self->become(ready(self, took));
    flush();
  }
}

void client_state::drop(std::string_view id, std::string_view why) {
  ++counters.replies_dropped;
  log(spdlog::level::debug, id, "dropped a reply: {}", why);
}

void client_state::on_frames(const wire::multipart& frames) {
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
  auto* p = requests.find(id);
  if (p == nullptr || !p->sent) {
    drop(id, std::string{to_string(res.header.type)} + " for a message id nobody waits for");
    return;
  }
  ++counters.replies_matched;
  complete(id, to_outcome(p->what(), cfg, res));
}

void client_state::on_handshake_reply(const std::string& id) {
  if (pings.answer(self, id, now()))
    return;
  switch (hs.on_reply(id)) {
    case handshake::answer::accepted:
      handshake_answered = true;
      return;
    case handshake::answer::superseded:
      return; // expected, not a dropped reply
    case handshake::answer::unknown:
      drop(id, "HANDSHAKE reply for an attempt nobody waits for");
      return;
  }
}

void client_state::on_disconnect() {
  ++counters.disconnects;
  // Replies that arrived before the link broke are still in the socket.
  drain();
  link_up = false;
  // Only requests on the wire are lost; an idle disconnect fails nothing.
  std::vector<std::string> lost;
  for (const auto& id : requests.ids()) {
    auto* p = requests.find(id);
    if (!p->sent)
      continue;
    if (p->operation == wire::op::read_property && !p->retried
        && cfg.policy_for(p->thing_id).retry_reads_after_reconnect) {
      p->retried = true;
      requests.requeue(id);
      log(spdlog::level::debug, id, "{} will be sent again after the reconnect", p->what());
      continue;
    }
    lost.push_back(id);
  }
  if (!lost.empty())
    log(spdlog::level::warn, {}, "server disconnected: failing {} request(s) in flight",
        lost.size());
  for (const auto& id : lost)
    complete(id, make_error(client_errc::disconnected,
                            "server '" + cfg.server_id + "' at '" + cfg.address
                              + "' disconnected (message id " + id + ")"));
  if (!cfg.wait_for_reconnect)
    for (const auto& id : requests.take_queue())
      complete(id, make_error(client_errc::disconnected,
                              "server '" + cfg.server_id + "' disconnected"));
}

void client_state::attempt_handshake() {
  if (!transport)
    return;
  auto attempt = hs.next_attempt();
  ++counters.handshake_attempts;
  auto req = wire::make_handshake(cfg.client_id, cfg.server_id);
  if (transport->send(wire::craft_request(cfg.server_id, req)) != transport::send_result::sent) {
    // Unroutable: the link is not up yet. Retry soon, backing off.
    timer.after(hs.unroutable(), handshake_retry_atom_v, attempt);
    return;
  }
  log(spdlog::level::trace, req.header.message_id, "HANDSHAKE sent");
  // Without an answer in time, a fresh HANDSHAKE (new message id).
  timer.after(hs.sent(req.header.message_id), handshake_retry_atom_v, attempt);
  drain();
}

caf::result<caf::timespan> client_state::ping() {
  auto req = wire::make_handshake(cfg.client_id, cfg.server_id);
  auto id = req.header.message_id;
  if (transport->send(wire::craft_request(cfg.server_id, req)) != transport::send_result::sent)
    return make_error(client_errc::disconnected,
                      "server '" + cfg.server_id + "' is not connected");
  pings.add(id, weak_promise<caf::timespan>{self}, now());
  timer.after(cfg.ping_timeout, ping_timeout_atom_v, std::move(id));
  drain();
  return caf::delegated<caf::timespan>{};
}

// -- misc ------------------------------------------------------------------------

void client_state::arm(std::optional<request_table::timer_request> t) {
  if (t)
    timer.after(t->delay, deadline_atom_v, t->id);
}

void client_state::arm_send_retry() {
  if (send_retry_armed)
    return;
  send_retry_armed = true;
  timer.after(send_backoff.next(), send_retry_atom_v);
}

client_status client_state::status(bool handshake_done) const {
  auto s = counters;
  s.handshake_done = handshake_done;
  s.connected = link_up && handshake_done;
  s.in_flight = requests.in_flight();
  s.waiting_to_send = requests.size() - s.in_flight;
  s.cached_replies = cache.size();
  return s;
}

void client_state::shut_down() {
  if (!self)
    return;
  auto err = make_error(client_errc::closed, "client '" + cfg.client_id + "' shut down");
  // From the destructor the actor may be half destroyed: answers go out
  // without a sender (nullptr).
  for (auto& p : requests.take_all())
    p.deliver(nullptr, err);
  pings.fail_all(nullptr, err);
  hs.notify(nullptr, err);
  timer.stop();
  if (monitor)
    caf::anon_send_exit(monitor, caf::exit_reason::user_shutdown);
  transport.reset();
  self = nullptr;
}

} // namespace holobroker::client
