// The front end's socket: reading it, hololinked 0.4's strictness about
// what a server accepts (wire/server_rules.hpp), the handshake, access
// control, and writing the replies.

#include <spdlog/spdlog.h>

#include "broker/frontend_impl.hpp"
#include "holobroker/broker/error_reply.hpp"
#include "holobroker/wire/requests.hpp"
#include "holobroker/wire/server_rules.hpp"

namespace holobroker::broker::frontend {

namespace {

void schedule_read(self_ptr self) {
  // ZMQ_FD is edge-triggered and a send may consume the edge: look again.
  if (self->state.wake.arm())
    self->send<caf::message_priority::high>(self, readable_atom_v);
}

void reply_invalid(self_ptr self, const wire::request& req, std::string type,
                   std::string message) {
  ++self->state.stats.invalid;
  client_log(self, spdlog::level::info, "front end: INVALID_MESSAGE to {} for {}: {}",
             printable(req.routing_id), req.header.message_id, message);
  send_response(self, req.routing_id,
                exception_reply(wire::message_type::invalid_message, req.header,
                                self->state.cfg.broker_id,
                                make_exception(std::move(type), std::move(message))));
}

void on_message(self_ptr self, const wire::multipart& frames, const std::string& user_id) {
  auto& st = self->state;
  auto in = wire::server_intake(frames);
  if (in.req)
    st.stats.saw_client(in.req->routing_id);
  switch (in.kind) {
    case wire::intake_kind::drop:
      ++st.stats.dropped;
      client_log(self, spdlog::level::warn, "front end: dropping {} from {}", in.reason,
                 frames.empty() ? "?" : printable(frames[0]));
      return;
    case wire::intake_kind::handshake:
      ++st.stats.handshakes;
      send_response(self, in.req->routing_id,
                    wire::make_response(wire::message_type::handshake, in.req->header,
                                        st.cfg.broker_id));
      return;
    case wire::intake_kind::exit:
      ++st.stats.dropped;
      client_log(self, spdlog::level::warn,
                 "front end: ignoring EXIT from {}: the broker serves other clients too",
                 printable(in.req->routing_id));
      return;
    case wire::intake_kind::invalid:
      reply_invalid(self, *in.req, std::move(in.error_type), std::move(in.reason));
      return;
    case wire::intake_kind::operation: break;
  }
  const auto& req = *in.req;
  const auto& h = req.header;
  if (refused_by_drain(self, req))
    return;
  // Access control: a denied request never reaches a Thing (nor the broker's
  // own actions) and is answered with a PermissionError.
  auto admitted = st.guard.admit(req, user_id, st.cfg.broker_id);
  if (!admitted.admitted) {
    if (!h.server_context.oneway)
      send_response(self, req.routing_id, std::move(*admitted.refusal));
    return;
  }
  // A client beyond its request rate is answered at once, whatever it
  // asks: neither a Thing nor the broker works for it.
  if (auto refusal = st.guard.over_rate(req, st.cfg.broker_id, self->clock().now())) {
    st.guard.refused(admitted.audit, request_outcome::error,
                     "beyond the client's request rate "
                     "(limits.max_requests_per_second_per_client)");
    if (h.server_context.oneway)
      client_log(self, spdlog::level::warn,
                 "front end: dropping oneway {} {} of {} from {}: beyond its request rate "
                 "(limits.max_requests_per_second_per_client)",
                 h.operation, h.objekt, h.thing_id, printable(req.routing_id));
    else
      send_response(self, req.routing_id, std::move(*refusal));
    return;
  }
  if (h.thing_id == st.cfg.broker_id) {
    // The broker's own actions only answer: a oneway one has nothing to do
    // and, like every oneway request, gets no reply (found by fuzz_frontend).
    if (h.server_context.oneway) {
      client_log(self, spdlog::level::info,
                 "front end: oneway {} {} from {} to the broker ignored (its actions only "
                 "answer)", h.operation, h.objekt, printable(req.routing_id));
      return;
    }
    introspect(self, req);
    return;
  }
  if (req.payload.empty() && h.payload_content_type == wire::json_content_type) {
    // What the real server answers: msgspec cannot decode an empty frame.
    if (!h.server_context.oneway)
      send_response(self, req.routing_id,
                    exception_reply(wire::message_type::exception, h, st.cfg.broker_id,
                                    make_exception("DecodeError", "Input data was truncated")));
    return;
  }
  forward(self, req, std::move(admitted.audit));
}

} // namespace

std::string printable(const wire::shared_bytes& id) {
  auto v = id.view();
  bool text = !v.empty();
  for (unsigned char c : v)
    text = text && c >= 0x20 && c < 0x7f;
  if (text)
    return std::string{v};
  // By hand: fmt per byte was a measurable share of the front end's time
  // under fuzz_frontend (every log line about a binary routing id).
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = "0x";
  out.reserve(2 + 2 * v.size());
  for (unsigned char c : v) {
    out += digits[c >> 4];
    out += digits[c & 0xf];
  }
  return out;
}

void send_response(self_ptr self, const wire::shared_bytes& identity, wire::response res) {
  auto& st = self->state;
  if (!st.socket)
    return;
  res.routing_id = identity;
  switch (st.socket->send(wire::craft_response(res))) {
    case transport::send_result::sent:
      st.guard.reply_sent(identity);
      break;
    case transport::send_result::unroutable:
      st.guard.client_gone(identity);
      spdlog::debug("front end: client {} is gone; dropping its {} for {}", printable(identity),
                    wire::to_string(res.header.type), res.header.message_id);
      break;
    case transport::send_result::would_block:
      st.guard.reply_dropped(identity);
      client_log(self, spdlog::level::warn,
                 "front end: client {} is not reading (high-water mark); dropping its {} "
                 "for {}", printable(identity), wire::to_string(res.header.type),
                 res.header.message_id);
      break;
  }
  schedule_read(self);
}

void read_socket(self_ptr self) {
  auto& st = self->state;
  std::string user_id;
  for (int n = 0; st.socket; ++n) {
    if (n == read_batch) {
      // More may be waiting: look again after what the mailbox holds.
      schedule_read(self);
      return;
    }
    auto frames = st.socket->receive(user_id);
    if (!frames)
      return;
    on_message(self, *frames, user_id);
  }
}

} // namespace holobroker::broker::frontend
