// The status document rendered for operators: Prometheus text that a strict
// reader accepts (names, types, escaping, histograms), and the fleet page's
// embedding of the document.
#define CAF_SUITE daemon.metrics
#include <caf/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "holobroker/broker/request_stats.hpp"
#include "holobroker/http/fleet_page.hpp"
#include "holobroker/http/metrics_text.hpp"
#include "prometheus_text.hpp"

using namespace holobroker;
using nlohmann::json;

namespace {

json thing_entry(const std::string& id, const std::string& state, int replies) {
  broker::thing_stats s;
  for (int i = 0; i < replies; ++i) {
    ++s.requests;
    ++s.in_flight;
    s.finished(broker::request_outcome::reply, std::chrono::microseconds{300 * (i + 1)});
  }
  ++s.requests;
  ++s.in_flight;
  s.finished(broker::request_outcome::timeout, std::chrono::seconds{30}); // beyond every bound
  auto t = s.to_json();
  t["id"] = id;
  t["state"] = state;
  t["last_event_at"] = nullptr;
  t["connection"] = {{"handshake_attempts", 2}, {"disconnects", 1}, {"waiting_to_send", 0},
                     {"replies_dropped", 0},    {"deadline_expired", 1}, {"busy_rejected", 0}};
  return t;
}

json document() {
  return {{"broker",
           {{"id", "holobroker"}, {"uptime_s", 12.5}, {"draining", false}, {"in_flight", 0},
            {"handshakes", 4}, {"dropped", 1}, {"invalid", 2}, {"unknown_thing", 5},
            {"clients", 3}, {"reloads", 1},
            {"events",
             {{"subscribed", {{"a/x", 2}, {"b/y", 1}}}, {"received", 10}, {"forwarded", 7},
              {"cached", 2}, {"last_values_sent", 5}, {"probes_answered", 6},
              {"subscriptions_denied", 8}}}}},
          {"things",
           json::array({thing_entry("spectrometer", "connected", 3),
                        thing_entry("odd \"name\"\\\n", "disconnected", 0)})}};
}

} // namespace

CAF_TEST(the status document renders as an exposition a strict reader accepts) {
  auto text = http::metrics_text(document());
  auto m = test::parse_exposition(text);
  if (!m)
    CAF_FAIL(m.error() << "\n" << text);
  CAF_CHECK_EQUAL(m->get("holobroker_uptime_seconds"), 12.5);
  CAF_CHECK_EQUAL(m->get("holobroker_clients"), 3);
  CAF_CHECK_EQUAL(m->get("holobroker_reloads_total"), 1);
  CAF_CHECK_EQUAL(m->get("holobroker_unknown_thing_requests_total"), 5);
  CAF_CHECK_EQUAL(m->get("holobroker_events_received_total"), 10);
  CAF_CHECK_EQUAL(m->get("holobroker_events_forwarded_total"), 7);
  CAF_CHECK_EQUAL(m->get("holobroker_event_subscriptions"), 3);
  CAF_CHECK_EQUAL(m->get("holobroker_event_last_values_sent_total"), 5);
  CAF_CHECK_EQUAL(m->get("holobroker_event_probes_answered_total"), 6);
  CAF_CHECK_EQUAL(m->get("holobroker_event_subscriptions_denied_total"), 8);
  CAF_CHECK_EQUAL(m->get("holobroker_thing_requests_total{thing=\"spectrometer\"}"), 4);
  CAF_CHECK_EQUAL(
    m->get("holobroker_thing_replies_total{thing=\"spectrometer\",type=\"reply\"}"), 3);
  CAF_CHECK_EQUAL(
    m->get("holobroker_thing_replies_total{thing=\"spectrometer\",type=\"timeout\"}"), 1);
  // 300, 600 and 900 us: none within 250 us, all three within 1 ms; the 30 s one only in +Inf.
  CAF_CHECK_EQUAL(m->get("holobroker_thing_request_duration_seconds_bucket{le=\"0.00025\","
                         "thing=\"spectrometer\"}"),
                  0);
  CAF_CHECK_EQUAL(m->get("holobroker_thing_request_duration_seconds_bucket{le=\"0.001\","
                         "thing=\"spectrometer\"}"),
                  3);
  CAF_CHECK_EQUAL(m->get("holobroker_thing_request_duration_seconds_bucket{le=\"10\","
                         "thing=\"spectrometer\"}"),
                  3);
  CAF_CHECK_EQUAL(m->get("holobroker_thing_request_duration_seconds_bucket{le=\"+Inf\","
                         "thing=\"spectrometer\"}"),
                  4);
  CAF_CHECK_EQUAL(m->get("holobroker_thing_request_duration_seconds_count{thing=\"spectrometer\"}"),
                  4);
  CAF_CHECK_GREATER(
    m->get("holobroker_thing_request_duration_seconds_sum{thing=\"spectrometer\"}"), 30.0);
  // Label values with quotes, backslashes and newlines survive the round trip.
  CAF_CHECK_EQUAL(m->get("holobroker_thing_connection_state{state=\"disconnected\","
                         "thing=\"odd \"name\"\\\n\"}"),
                  1);
  CAF_CHECK_EQUAL(m->get("holobroker_thing_connected{thing=\"spectrometer\"}"), 1);
  CAF_CHECK_EQUAL(m->get("holobroker_thing_disconnects_total{thing=\"spectrometer\"}"), 1);
  CAF_CHECK_EQUAL(m->get("holobroker_thing_deadline_expired_total{thing=\"spectrometer\"}"), 1);
  // No event yet: no timestamp sample (rather than a misleading 0).
  CAF_CHECK_EQUAL(m->get("holobroker_thing_last_event_timestamp_seconds{thing=\"spectrometer\"}"),
                  -1);
}

CAF_TEST(an empty or partial document still renders a valid exposition) {
  for (const auto& doc : {json(nullptr), json::object(), json{{"broker", json::object()}},
                          json{{"things", json::array({json{{"id", "x"}}})}}}) {
    auto text = http::metrics_text(doc);
    auto m = test::parse_exposition(text);
    if (!m)
      CAF_MESSAGE(m.error() << "\n" << text);
    CAF_CHECK(m.has_value());
  }
}

CAF_TEST(the strict reader refuses what Prometheus refuses) {
  CAF_CHECK(!test::parse_exposition("x 1\n"));                             // no TYPE
  CAF_CHECK(!test::parse_exposition("# TYPE x counter\nx 1\n"));           // no _total
  CAF_CHECK(!test::parse_exposition("# TYPE x gauge\nx{a=\"b} 1\n"));      // unterminated
  CAF_CHECK(!test::parse_exposition("# TYPE x gauge\nx one\n"));           // bad value
  CAF_CHECK(!test::parse_exposition("# TYPE x gauge\nx 1"));               // no final newline
  CAF_CHECK(!test::parse_exposition("# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\nx 2\n"));
  CAF_CHECK(!test::parse_exposition("# TYPE h histogram\nh_bucket{le=\"1\"} 2\n"
                                    "h_bucket{le=\"+Inf\"} 1\n")); // decreasing
  CAF_CHECK(test::parse_exposition("# TYPE x gauge\nx{a=\"q\\\"\"} 1\n").has_value());
}

CAF_TEST(the fleet page embeds the document so that no value can end its script) {
  auto doc = document();
  doc["things"][0]["id"] = "</script><script>alert(1)</script>";
  auto page = http::fleet_page(doc.dump());
  auto start = page.find("<script id=\"initial\" type=\"application/json\">");
  CAF_REQUIRE(start != std::string::npos);
  auto end = page.find("</script>", start);
  auto embedded = page.substr(start + 45, end - start - 45);
  CAF_CHECK_EQUAL(json::parse(embedded), doc); // "<\/" is the same JSON
  CAF_CHECK(page.find("http://") == std::string::npos); // no external assets
  CAF_CHECK(page.find("https://") == std::string::npos);
}
