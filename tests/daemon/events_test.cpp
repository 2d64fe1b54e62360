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

CAF_TEST(a subscriber gets exactly its topic and not longer topics it is a prefix of) {
  start_sim({"--event-period", "0.05"});
  // The change event is pinned, so the broker receives it without local demand.
  start_daemon(sim_thing("spectrometer", "IPC",
                         "    events: [integration_time_change_event]\n"));
  auto c = client("raw-client-prefix");
  subscriber a{ctx, daemon->events("ipc")};
  // On a direct connection this prefix would deliver ..._change_event too.
  a.subscribe("spectrometer/integration_time");
  a.subscribe("spectrometer/measurement");
  // A measurement proves both subscriptions reached the broker (same pipe, in order).
  CAF_REQUIRE(a.wait_for("spectrometer/measurement", 10s));
  for (int i = 0; i < 3; ++i)
    CAF_REQUIRE(c->call("holobroker", op(*c, "spectrometer", "integration_time",
                                         "writeproperty", std::to_string(20 + i))));
  // The broker did receive the change events...
  std::optional<json> change;
  for (int i = 0; i < 50 && !(change && (*change)["payload"] == json(22)); ++i) {
    change = last_event(*c, "spectrometer", "integration_time_change_event");
    if (!(change && (*change)["payload"] == json(22)))
      std::this_thread::sleep_for(20ms);
  }
  CAF_REQUIRE(change.has_value());
  CAF_CHECK_EQUAL((*change)["payload"], json(22));
  // ...but did not forward them to the subscriber of the shorter topic.
  a.seen.clear();
  a.wait_for("spectrometer/never", 300ms);
  for (const auto& topic : a.seen)
    CAF_CHECK_EQUAL(topic, "spectrometer/measurement");
  // A subscriber of the exact topic gets them.
  subscriber b{ctx, daemon->events("ipc")};
  b.subscribe("spectrometer/integration_time_change_event");
  b.subscribe("spectrometer/measurement");
  CAF_REQUIRE(b.wait_for("spectrometer/measurement", 10s));
  CAF_REQUIRE(c->call("holobroker", op(*c, "spectrometer", "integration_time", "writeproperty",
                                       "30")));
  CAF_CHECK(b.wait_for("spectrometer/integration_time_change_event", 5s));
}

CAF_TEST_FIXTURE_SCOPE_END()
