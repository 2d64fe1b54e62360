#include "broker/frontend_guard.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "holobroker/broker/error_reply.hpp"

namespace holobroker::broker {

namespace {

std::string_view outcome_name(request_outcome o) {
  switch (o) {
    case request_outcome::reply: return "reply";
    case request_outcome::exception: return "exception";
    case request_outcome::timeout: return "timeout";
    case request_outcome::error: break;
  }
  return "error";
}

/// The answer to a request the guard refuses because of what its client
/// does (in flight, rate, not reading): hololinked raises BlockingIOError.
wire::response busy(const wire::request& req, std::string_view broker_id, std::string message) {
  return exception_reply(wire::message_type::exception, req.header, broker_id,
                         make_exception("BlockingIOError", std::move(message)));
}

} // namespace

frontend_guard::frontend_guard(std::shared_ptr<security::authorizer> policy,
                               std::uint32_t max_per_client, client_rate_limit rate)
  : policy_(policy ? std::move(policy) : std::make_shared<security::authorizer>()),
    max_per_client_(max_per_client),
    rate_(std::move(rate)) {}

admission frontend_guard::admit(const wire::request& req, std::string_view user_id,
                                std::string_view broker_id) {
  const auto& h = req.header;
  auto v = policy_->authorize({user_id, h.thing_id, h.operation, h.objekt, h.message_id,
                               h.thing_id == broker_id});
  admission a;
  if (!v.allowed) {
    ++denied_;
    a.admitted = false;
    a.refusal = exception_reply(wire::message_type::exception, h, broker_id,
                                make_exception("PermissionError", std::move(v.message)));
    return a;
  }
  a.audit = std::move(v.pending_audit);
  return a;
}

std::optional<wire::response> frontend_guard::over_limit(const wire::request& req,
                                                         std::string_view broker_id) {
  if (max_per_client_ == 0)
    return std::nullopt;
  auto i = in_flight_.find(std::string{req.routing_id.view()});
  if (i == in_flight_.end() || i->second < max_per_client_)
    return std::nullopt;
  ++client_busy_;
  return busy(req, broker_id,
              fmt::format("holobroker: this client has {} requests in flight "
                          "(limits.max_in_flight_per_client); wait for replies first",
                          i->second));
}

std::optional<wire::response> frontend_guard::over_rate(const wire::request& req,
                                                        std::string_view broker_id,
                                                        client_rate_limit::time_point now) {
  if (!rate_.enabled() || rate_.admit(req.routing_id.view(), now))
    return std::nullopt;
  ++rate_limited_;
  return busy(req, broker_id,
              fmt::format("holobroker: this client sends more than {:g} requests per second "
                          "(limits.max_requests_per_second_per_client, burst {:g}); slow down",
                          rate_.per_second(), rate_.burst()));
}

std::optional<wire::response> frontend_guard::not_reading(const wire::request& req,
                                                          std::string_view broker_id) {
  if (not_reading_.empty() || not_reading_.count(std::string{req.routing_id.view()}) == 0)
    return std::nullopt;
  ++not_reading_refused_;
  return busy(req, broker_id,
              "holobroker: this client does not read its replies (its send queue, "
              "limits.send_queue, is full); its requests are refused until it reads");
}

void frontend_guard::reply_dropped(const wire::shared_bytes& identity) {
  ++replies_dropped_;
  if (not_reading_.size() >= max_not_reading)
    not_reading_.clear();
  not_reading_.emplace(identity.view());
}

void frontend_guard::started(const wire::shared_bytes& identity) {
  ++in_flight_[std::string{identity.view()}];
}

void frontend_guard::ended(const wire::shared_bytes& identity,
                           std::optional<security::audit_record>& audit,
                           request_outcome outcome) {
  auto i = in_flight_.find(std::string{identity.view()});
  if (i != in_flight_.end() && --i->second == 0)
    in_flight_.erase(i);
  refused(audit, outcome);
}

void frontend_guard::refused(std::optional<security::audit_record>& audit,
                             request_outcome outcome, std::string_view why) {
  if (audit) {
    audit->outcome = std::string{outcome_name(outcome)};
    if (!why.empty())
      audit->detail = std::string{why};
    security::audit(*audit);
    audit.reset();
  }
}

void frontend_guard::passed_oneway(std::optional<security::audit_record>& audit) {
  if (audit) {
    audit->outcome = "oneway";
    security::audit(*audit);
    audit.reset();
  }
}

nlohmann::json frontend_guard::to_json() const {
  return {{"denied", denied_},
          {"client_busy", client_busy_},
          {"rate_limited", rate_limited_},
          {"replies_dropped", replies_dropped_},
          {"not_reading_refused", not_reading_refused_},
          {"clients_not_reading", not_reading_.size()},
          {"clients_in_flight", in_flight_.size()},
          {"clients_rate_tracked", rate_.clients()}};
}

} // namespace holobroker::broker
