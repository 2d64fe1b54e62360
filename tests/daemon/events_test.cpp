#define CAF_SUITE daemon_events
#include <caf/test/unit_test.hpp>

#include <thread>

#include <nlohmann/json.hpp>

#include "fleet_fixture.hpp"
#include "holobroker/wire/event.hpp"
#include "holobroker/zmq/multipart_io.hpp"

using namespace holobroker;
using namespace holobroker::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// A hololinked-style SUB socket at the broker's event publisher.
class subscriber {
public:
  subscriber(zmq::context_t& ctx, const std::string& address) : sock_(ctx, zmq::socket_type::sub) {
    sock_.set(zmq::sockopt::linger, 0);
    sock_.connect(address);
  }

  void subscribe(const std::string& topic) { sock_.set(zmq::sockopt::subscribe, topic); }

  /// The next event within `timeout`.
  std::optional<wire::event> next(std::chrono::milliseconds timeout) {
    zmq::pollitem_t item{sock_.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, timeout) <= 0)
      return std::nullopt;
    auto frames = zmqio::recv_multipart(sock_);
    if (!frames)
      return std::nullopt;
    auto ev = wire::parse_event(*frames);
    CAF_REQUIRE(ev.has_value());
    return std::move(*ev);
  }

  /// Waits for an event on `topic`, keeping every topic seen in `seen`.
  bool wait_for(const std::string& topic, std::chrono::milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      auto ev = next(std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now()));
      if (!ev)
        return false;
      seen.push_back(ev->topic);
      if (ev->topic == topic)
        return true;
    }
    return false;
  }

  std::vector<std::string> seen;

private:
  zmq::socket_t sock_;
};

struct fixture : fleet_fixture {
  temp_dir files;

  /// A thing-sim server "thing-sim" serving Thing "lab": two events whose
  /// names collide by prefix, an observable property and a longer one.
  std::string sim_config() {
    auto path = files.string() + "/sim.yaml";
    write_file(path, R"(servers:
  - id: thing-sim
    things:
      - id: lab
        properties:
          - {name: prop, type: number, default: 0, observable: true}
          - {name: prop_limit, type: number, default: 0, observable: true}
        events:
          - {name: test_event, kind: constant, payload: "test data", period_s: 0.02}
          - {name: test_event_with_json_schema, kind: constant, payload: 1, period_s: 0.02}
)");
    return path;
  }

  std::string lab_thing(const std::string& extra = "") { return sim_thing("lab", "IPC", extra); }

  std::optional<json> last_event(raw_client& c, const std::string& thing, const std::string& ev) {
    auto r = c.call("holobroker", op(c, "holobroker", "last_event", "invokeaction",
                                     json{{"thing", thing}, {"event", ev}}.dump()));
    if (!r || r->header.type != wire::message_type::reply)
      return std::nullopt;
    return json::parse(r->payload.view());
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(daemon_events_tests, fixture)

CAF_TEST(events reach a subscriber through the broker and the last value is kept) {
  start_sim({"--event-period", "0.05"});
  start_daemon(sim_thing("spectrometer"));
  subscriber sub{ctx, daemon->events("ipc")};
  sub.subscribe("spectrometer/measurement");
  std::optional<wire::event> ev;
  for (int i = 0; i < 100 && !ev; ++i)
    ev = sub.next(100ms);
  CAF_REQUIRE(ev.has_value());
  CAF_CHECK_EQUAL(ev->topic, "spectrometer/measurement");
  CAF_CHECK_EQUAL(ev->header.event_id, "spectrometer/measurement");
  CAF_CHECK_EQUAL(ev->header.sender_id, "thing-sim/event-publisher");
  auto c = client("raw-client-events");
  auto last = last_event(*c, "spectrometer", "measurement");
  CAF_REQUIRE(last.has_value());
  CAF_CHECK_EQUAL((*last)["topic"], "spectrometer/measurement");
  CAF_CHECK((*last)["payload"].is_object() || (*last)["payload"].is_array());
  // Nothing seen on a topic: the broker says so (EXCEPTION), no made-up value.
  CAF_CHECK(!last_event(*c, "spectrometer", "no_such_event"));
}

CAF_TEST(a subscriber of an event never receives a longer event name it is a prefix of) {
  // Both events fire every 20 ms; on a direct connection a subscriber of
  // lab/test_event would get both (golden ipc-event-prefix-collision.json).
  start_sim({"--config", sim_config()});
  // The longer topic is pinned, so the broker receives it without local demand.
  start_daemon(lab_thing("    events: [test_event_with_json_schema]\n"));
  subscriber a{ctx, daemon->events("ipc")};
  a.subscribe("lab/test_event");
  int got = 0;
  for (int i = 0; i < 20; ++i)
    if (a.wait_for("lab/test_event", 10s))
      ++got;
  CAF_CHECK_EQUAL(got, 20);
  for (const auto& topic : a.seen)
    CAF_CHECK_EQUAL(topic, "lab/test_event");
  // The broker did receive the longer topic meanwhile.
  auto c = client("raw-client-prefix");
  auto longer = last_event(*c, "lab", "test_event_with_json_schema");
  CAF_REQUIRE(longer.has_value());
  CAF_CHECK_EQUAL((*longer)["topic"], "lab/test_event_with_json_schema");
}

CAF_TEST(a subscriber of a property receives its change event as observe_property expects) {
  start_sim({"--config", sim_config()});
  start_daemon(lab_thing());
  auto c = client("raw-client-observe");
  subscriber a{ctx, daemon->events("ipc")};
  // What hololinked's ObjectProxy.observe_property("prop") subscribes.
  a.subscribe("lab/prop");
  std::optional<wire::event> change;
  // Writes until one change event arrives (the first writes may precede the
  // broker's upstream subscription: PUB/SUB has no acknowledgement).
  for (int i = 0; i < 100 && !change; ++i) {
    CAF_REQUIRE(c->call("holobroker", op(*c, "lab", "prop", "writeproperty",
                                         std::to_string(1 + i))));
    change = a.next(100ms);
  }
  CAF_REQUIRE(change.has_value());
  CAF_CHECK_EQUAL(change->topic, "lab/prop_change_event");
  CAF_CHECK_EQUAL(change->header.event_id, "lab/prop_change_event");
  // Only change events of prop, never of the longer property prop_limit.
  CAF_REQUIRE(c->call("holobroker", op(*c, "lab", "prop_limit", "writeproperty", "7")));
  CAF_REQUIRE(c->call("holobroker", op(*c, "lab", "prop", "writeproperty", "500")));
  std::optional<wire::event> ev;
  for (int i = 0; i < 100; ++i) {
    ev = a.next(100ms);
    CAF_REQUIRE(ev.has_value());
    CAF_REQUIRE_EQUAL(ev->topic, "lab/prop_change_event");
    if (ev->payload.view() == "500")
      break;
  }
  CAF_CHECK_EQUAL(ev->payload.view(), "500");
}

CAF_TEST_FIXTURE_SCOPE_END()
