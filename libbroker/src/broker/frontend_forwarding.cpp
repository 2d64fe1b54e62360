// The front end's table of requests in flight and the forwarding of
// requests to their Thing's client actor: every tracked request ends in
// exactly one answer (complete()), whatever comes back, and a Thing
// Description on its way back has its addresses rewritten.

#include <spdlog/spdlog.h>

#include "broker/frontend_impl.hpp"
#include "holobroker/broker/error_reply.hpp"
#include "holobroker/broker/td_rewriter.hpp"
#include "holobroker/client/error.hpp"
#include "holobroker/wire/requests.hpp"

namespace holobroker::broker::frontend {

namespace {

/// hololinked's special action returning the Thing Description (not in the TD).
constexpr std::string_view get_thing_description = "get_thing_description";

request_outcome outcome_of(const caf::error& err) {
  auto code = client::client_errc_of(err);
  if (!code)
    return request_outcome::error;
  switch (*code) {
    case client::client_errc::remote_exception: return request_outcome::exception;
    case client::client_errc::timeout:
    case client::client_errc::server_timeout: return request_outcome::timeout;
    default: return request_outcome::error;
  }
}

wire::response reply_of(self_ptr self, std::uint64_t id, const client::operation_reply& rep) {
  auto& st = self->state;
  const auto& p = st.in_flight.at(id);
  auto payload = rep.payload;
  if (p.thing_description) {
    // A CURVE client is sent to the CURVE endpoints, everyone else never.
    bool curve = !st.cfg.curve_endpoints.request_tcp.empty() && came_over_curve(p.identity.view());
    if (auto td = rewrite_thing_description(payload.view(),
                                            curve ? st.cfg.curve_endpoints : st.cfg.endpoints))
      payload = wire::shared_bytes::from_string(std::move(*td));
    else
      spdlog::warn("front end: {} of {} is not a Thing Description ({}); passed on unchanged",
                   get_thing_description, p.header.thing_id, td.error());
  }
  auto res = wire::make_response(wire::message_type::reply, p.header, st.cfg.broker_id,
                                 std::move(payload), rep.preserialized);
  if (!rep.payload_content_type.empty())
    res.header.payload_content_type = rep.payload_content_type;
  if (!rep.preencoded_payload_content_type.empty())
    res.header.preencoded_payload_content_type = rep.preencoded_payload_content_type;
  return res;
}


/// Answers a request for a Thing the directory does not have, without
/// entering it anywhere: not in the table, not in the per-Thing stats.
void refuse_unknown_thing(self_ptr self, const wire::request& req,
                          std::optional<security::audit_record>& audit) {
  auto& st = self->state;
  ++st.stats.unknown_thing;
  st.guard.refused(audit, request_outcome::error);
  if (req.header.server_context.oneway) {
    // Oneway requests are never answered, as on the real server.
    client_log(self, spdlog::level::warn,
               "front end: oneway request {} from {} for unknown Thing {} dropped",
               req.header.message_id, printable(req.routing_id), req.header.thing_id);
    return;
  }
  send_response(self, req.routing_id,
                error_reply(client::make_error(client::client_errc::unknown_thing,
                                               "no connection serves Thing '"
                                                 + req.header.thing_id + "'"),
                            req.header, st.cfg.broker_id));
}

} // namespace

client::operation_request to_operation(const wire::request& req) {
  client::operation_request op;
  op.thing_id = req.header.thing_id;
  op.objekt = req.header.objekt;
  op.objekt_json = req.header.objekt_json; // null or a list: forwarded verbatim
  op.operation = req.header.operation;
  op.payload = req.payload;
  op.preserialized = req.preserialized;
  op.payload_content_type = req.header.payload_content_type;
  op.preencoded_payload_content_type = req.header.preencoded_payload_content_type;
  op.options.server_context = req.header.server_context;
  op.options.thing_context = req.header.thing_context;
  return op;
}

std::uint64_t track(self_ptr self, const wire::request& req, bool counted,
                    std::optional<security::audit_record> audit) {
  auto& st = self->state;
  auto id = st.next_request++;
  pending_request p;
  p.identity = req.routing_id;
  p.header = req.header;
  p.start = clock_type::now();
  p.counted = counted;
  p.audit = std::move(audit);
  st.guard.started(req.routing_id);
  p.thing_description = req.header.operation == wire::op::invoke_action
                        && req.header.objekt == get_thing_description;
  if (counted) {
    auto& s = st.stats.of(req.header.thing_id);
    ++s.requests;
    ++s.in_flight;
  }
  st.in_flight.emplace(id, std::move(p));
  return id;
}

void complete(self_ptr self, std::uint64_t id, wire::response res, request_outcome outcome) {
  auto& st = self->state;
  auto i = st.in_flight.find(id);
  if (i == st.in_flight.end())
    return;
  auto req = std::move(i->second);
  st.in_flight.erase(i);
  st.guard.ended(req.identity, req.audit, outcome);
  if (req.counted)
    st.stats.of(req.header.thing_id).finished(outcome, clock_type::now() - req.start);
  send_response(self, req.identity, std::move(res));
  if (st.drain.active) {
    ++st.drain.completed;
    if (st.in_flight.empty())
      finish_drain(self);
  }
}

wire::response json_reply(self_ptr self, std::uint64_t id, const nlohmann::json& value) {
  const auto& p = self->state.in_flight.at(id);
  return wire::make_response(wire::message_type::reply, p.header, self->state.cfg.broker_id,
                             wire::shared_bytes::from_string(value.dump()));
}

wire::response failure(self_ptr self, std::uint64_t id, const caf::error& err) {
  const auto& p = self->state.in_flight.at(id);
  return error_reply(err, p.header, self->state.cfg.broker_id);
}

wire::response broker_exception(self_ptr self, std::uint64_t id, std::string type,
                                std::string message) {
  const auto& p = self->state.in_flight.at(id);
  return exception_reply(wire::message_type::exception, p.header, self->state.cfg.broker_id,
                         make_exception(std::move(type), std::move(message)));
}

void forward(self_ptr self, const wire::request& req,
             std::optional<security::audit_record> audit) {
  auto& st = self->state;
  // The route first: nothing is kept for a Thing the directory does not have.
  const auto* route = st.directory.current().find(req.header.thing_id);
  if (route == nullptr) {
    refuse_unknown_thing(self, req, audit);
    return;
  }
  bool client_idle = st.guard.in_flight(req.routing_id) == 0;
  if (req.header.server_context.oneway) {
    st.guard.passed_oneway(audit);
    ++st.stats.of(req.header.thing_id).oneway;
    send_to_thing(self, req, *route, 0, client_idle);
    return;
  }
  // A client whose replies are being thrown away, or with too many
  // requests in flight, is answered at once: the Thing never sees it.
  std::string_view why = "the client does not read its replies (limits.send_queue)";
  auto refusal = st.guard.not_reading(req, st.cfg.broker_id);
  if (!refusal) {
    why = "too many requests in flight (limits.max_in_flight_per_client)";
    refusal = st.guard.over_limit(req, st.cfg.broker_id);
  }
  if (refusal) {
    st.guard.refused(audit, request_outcome::error, why);
    send_response(self, req.routing_id, std::move(*refusal));
    return;
  }
  auto id = track(self, req, true, std::move(audit));
  send_to_thing(self, req, *route, id, client_idle);
}

void answered(self_ptr self, std::uint64_t id, const client::operation_reply& rep) {
  if (self->state.in_flight.count(id) == 0)
    return;
  complete(self, id, reply_of(self, id, rep), request_outcome::reply);
}

void failed(self_ptr self, std::uint64_t id, const caf::error& err) {
  if (self->state.in_flight.count(id) == 0)
    return;
  complete(self, id, failure(self, id, err), outcome_of(err));
}

} // namespace holobroker::broker::frontend
