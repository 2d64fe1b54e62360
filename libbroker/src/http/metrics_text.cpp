#include "holobroker/http/metrics_text.hpp"

#include <cmath>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace holobroker::http {

namespace {

using nlohmann::json;

/// A JSON number (or bool) as an exposition value; anything else is 0.
std::string value_of(const json& v) {
  if (v.is_boolean())
    return v.get<bool>() ? "1" : "0";
  if (v.is_number_unsigned())
    return fmt::format("{}", v.get<std::uint64_t>());
  if (v.is_number_integer())
    return fmt::format("{}", v.get<std::int64_t>());
  if (v.is_number_float()) {
    auto d = v.get<double>();
    if (std::isnan(d))
      return "NaN";
    if (std::isinf(d))
      return d > 0 ? "+Inf" : "-Inf";
    return fmt::format("{}", d);
  }
  return "0";
}

const json& member(const json& obj, std::string_view key) {
  static const json null;
  if (!obj.is_object())
    return null;
  auto i = obj.find(key);
  return i == obj.end() ? null : *i;
}

struct sample {
  std::string labels; ///< `{a="b",...}` or empty
  std::string value;
};

/// One metric family: HELP and TYPE, then its samples together, as the
/// format requires.
class family {
public:
  family(std::string name, std::string type, std::string help)
    : name_(std::move(name)), type_(std::move(type)), help_(std::move(help)) {}

  void add(std::string labels, std::string value, std::string suffix = {}) {
    samples_.push_back({std::move(suffix), {std::move(labels), std::move(value)}});
  }

  void write(std::string& out) const {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name_, help_, name_, type_);
    for (const auto& [suffix, s] : samples_)
      out += fmt::format("{}{}{} {}\n", name_, suffix, s.labels, s.value);
  }

private:
  std::string name_, type_, help_;
  std::vector<std::pair<std::string, sample>> samples_;
};

std::string thing_label(const std::string& id, std::string_view extra = {}) {
  std::string out = "{thing=\"" + escape_label(id) + "\"";
  if (!extra.empty()) {
    out += ",";
    out += extra;
  }
  return out + "}";
}

} // namespace

std::string escape_label(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string metrics_text(const json& status) {
  const auto& b = member(status, "broker");
  const auto& ev = member(b, "events");
  std::string out;
  auto broker_gauge = [&](const char* name, const char* type, const char* help, const json& v) {
    family f{name, type, help};
    f.add({}, value_of(v));
    f.write(out);
  };
  broker_gauge("holobroker_uptime_seconds", "gauge", "Seconds since the broker started.",
               member(b, "uptime_s"));
  broker_gauge("holobroker_draining", "gauge", "1 while the broker drains for shutdown.",
               member(b, "draining"));
  broker_gauge("holobroker_in_flight_requests", "gauge",
               "Requests received by the front end and not answered yet.", member(b, "in_flight"));
  broker_gauge("holobroker_clients", "gauge",
               "Client identities that sent a message in the last 5 minutes.",
               member(b, "clients"));
  broker_gauge("holobroker_handshakes_total", "counter",
               "HANDSHAKE messages answered by the front end.", member(b, "handshakes"));
  broker_gauge("holobroker_dropped_messages_total", "counter",
               "Client messages dropped unanswered (too few frames, unparsable header, EXIT).",
               member(b, "dropped"));
  broker_gauge("holobroker_invalid_messages_total", "counter",
               "Client messages answered with INVALID_MESSAGE.", member(b, "invalid"));
  broker_gauge("holobroker_unknown_thing_requests_total", "counter",
               "Requests for Things the broker does not serve (KeyError, or dropped if oneway).",
               member(b, "unknown_thing"));
  broker_gauge("holobroker_reloads_total", "counter", "Configuration reloads applied (SIGHUP).",
               member(b, "reloads"));
  broker_gauge("holobroker_events_received_total", "counter",
               "Events received from the fleet's event publishers.", member(ev, "received"));
  broker_gauge("holobroker_events_forwarded_total", "counter",
               "Events republished to local subscribers.", member(ev, "forwarded"));
  broker_gauge("holobroker_event_cache_topics", "gauge",
               "Topics whose last event the broker holds.", member(ev, "cached"));
  broker_gauge("holobroker_event_last_values_sent_total", "counter",
               "Last values sent to a new subscriber alone (last_value:).",
               member(ev, "last_values_sent"));
  broker_gauge("holobroker_event_probes_answered_total", "counter",
               "Subscription probes answered (holobroker subscribers confirming a subscription).",
               member(ev, "probes_answered"));
  broker_gauge("holobroker_event_subscriptions_denied_total", "counter",
               "Subscriptions the security policy refused (each audited).",
               member(ev, "subscriptions_denied"));
  {
    std::uint64_t subs = 0;
    const auto& subscribed = member(ev, "subscribed");
    if (subscribed.is_object())
      for (const auto& [topic, n] : subscribed.items())
        subs += n.is_number_integer() && n.get<std::int64_t>() > 0
                  ? static_cast<std::uint64_t>(n.get<std::int64_t>())
                  : 0;
    broker_gauge("holobroker_event_subscriptions", "gauge",
                 "Local subscriptions to event topics.", json(subs));
  }

  const auto& things = member(status, "things");
  if (!things.is_array() || things.empty())
    return out;
  family requests{"holobroker_thing_requests_total", "counter",
                  "Requests (expecting a reply) forwarded to the Thing."};
  family oneway{"holobroker_thing_oneway_requests_total", "counter",
                "Oneway requests forwarded to the Thing."};
  family replies{"holobroker_thing_replies_total", "counter",
                 "Requests answered, by type: reply, exception (the Thing raised), timeout, "
                 "error (broker error: connection, busy, drain)."};
  family in_flight{"holobroker_thing_in_flight_requests", "gauge",
                   "Requests to the Thing not answered yet."};
  family latency{"holobroker_thing_request_duration_seconds", "histogram",
                 "Round-trip time of requests through the broker."};
  family state{"holobroker_thing_connection_state", "gauge",
               "1 for the connection's current state (connected, connecting, disconnected)."};
  family connected{"holobroker_thing_connected", "gauge",
                   "1 when the connection is up and the handshake done."};
  family handshakes{"holobroker_thing_handshake_attempts_total", "counter",
                    "HANDSHAKE attempts of the broker's connection to the Thing."};
  family disconnects{"holobroker_thing_disconnects_total", "counter",
                     "Times the Thing's server disconnected."};
  family queued{"holobroker_thing_queued_requests", "gauge",
                "Requests waiting for the connection (connect, reconnect) before being sent."};
  family dropped{"holobroker_thing_dropped_replies_total", "counter",
                 "Late, duplicated or unknown replies from the Thing, dropped."};
  family expired{"holobroker_thing_deadline_expired_total", "counter",
                 "Requests failed by the broker's client-side deadline."};
  family busy{"holobroker_thing_busy_rejected_total", "counter",
              "Requests refused because max_in_flight was reached."};
  family last_event{"holobroker_thing_last_event_timestamp_seconds", "gauge",
                    "Unix time of the Thing's last event (absent before the first)."};
  for (const auto& t : things) {
    auto id = member(t, "id").is_string() ? member(t, "id").get<std::string>() : std::string{};
    requests.add(thing_label(id), value_of(member(t, "requests")));
    oneway.add(thing_label(id), value_of(member(t, "oneway")));
    for (auto [type, key] : {std::pair{"reply", "replies"}, {"exception", "exceptions"},
                             {"timeout", "timeouts"}, {"error", "errors"}})
      replies.add(thing_label(id, fmt::format("type=\"{}\"", type)), value_of(member(t, key)));
    in_flight.add(thing_label(id), value_of(member(t, "in_flight")));
    const auto& h = member(t, "latency_histogram");
    const auto& le = member(h, "le_s");
    const auto& cumulative = member(h, "cumulative");
    if (le.is_array() && cumulative.is_array())
      for (std::size_t i = 0; i < le.size() && i < cumulative.size(); ++i)
        latency.add(thing_label(id, fmt::format("le=\"{}\"", value_of(le[i]))),
                    value_of(cumulative[i]), "_bucket");
    latency.add(thing_label(id, "le=\"+Inf\""), value_of(member(h, "count")), "_bucket");
    latency.add(thing_label(id), value_of(member(h, "sum_s")), "_sum");
    latency.add(thing_label(id), value_of(member(h, "count")), "_count");
    auto st = member(t, "state").is_string() ? member(t, "state").get<std::string>() : "";
    for (const char* s : {"connected", "connecting", "disconnected"})
      state.add(thing_label(id, fmt::format("state=\"{}\"", s)), st == s ? "1" : "0");
    connected.add(thing_label(id), st == "connected" ? "1" : "0");
    const auto& c = member(t, "connection");
    handshakes.add(thing_label(id), value_of(member(c, "handshake_attempts")));
    disconnects.add(thing_label(id), value_of(member(c, "disconnects")));
    queued.add(thing_label(id), value_of(member(c, "waiting_to_send")));
    dropped.add(thing_label(id), value_of(member(c, "replies_dropped")));
    expired.add(thing_label(id), value_of(member(c, "deadline_expired")));
    busy.add(thing_label(id), value_of(member(c, "busy_rejected")));
    if (member(t, "last_event_at").is_number())
      last_event.add(thing_label(id), value_of(member(t, "last_event_at")));
  }
  for (const auto* f : {&requests, &oneway, &replies, &in_flight, &latency, &state, &connected,
                        &handshakes, &disconnects, &queued, &dropped, &expired, &busy,
                        &last_event})
    f->write(out);
  return out;
}

} // namespace holobroker::http
