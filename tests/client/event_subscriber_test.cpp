#define CAF_SUITE event_subscriber
#include <caf/test/dsl.hpp>

#include "actor_fixture.hpp"

using namespace holobroker;
using namespace holobroker::events;
using holobroker::test::code_of;

namespace {

using received = std::shared_ptr<std::vector<wire::event>>;

event_sink_actor::behavior_type collecting_sink(event_sink_actor::pointer, received out) {
  return {[out](client::event_atom, const wire::event& ev) { out->push_back(ev); }};
}

struct event_fixture : holobroker::test::client_fixture {
  event_subscriber_actor subscriber;
  received got = std::make_shared<std::vector<wire::event>>();
  event_sink_actor sink;

  event_fixture() {
    subscriber = spawn_event_subscriber(sys, {"thing-sim", "ipc:///tmp/x.event-publisher.ipc"},
                                        factory);
    sink = sys.spawn(collecting_sink, got);
    sched.run();
  }

  void publish(const std::string& thing, const std::string& event, const std::string& json) {
    auto ev = wire::make_event("thing-sim", thing, event, wire::shared_bytes::copy_of(json));
    wire().inbox.push_back(wire::craft_event(ev));
  }

  void subscribe(const std::string& thing, const std::string& event) {
    self->send(subscriber, subscribe_atom_v, thing, event, sink);
    sched.run();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(event_subscriber_tests, event_fixture)

CAF_TEST(topics match exactly despite ZeroMQ prefix matching) {
  subscribe("spectrometer", "test_event");
  CAF_REQUIRE_EQUAL(wire().subscriptions.size(), 1u);
  CAF_CHECK_EQUAL(wire().subscriptions[0], "spectrometer/test_event");
  // The SUB socket delivers both (prefix match); only the exact one counts.
  publish("spectrometer", "test_event_with_json_schema", "1");
  publish("spectrometer", "test_event", "2");
  wake();
  CAF_REQUIRE_EQUAL(got->size(), 1u);
  CAF_CHECK_EQUAL(got->at(0).topic, "spectrometer/test_event");
  CAF_CHECK_EQUAL(got->at(0).payload.view(), "2");
}

CAF_TEST(the last value per topic is remembered) {
  auto none = ask<wire::event>(subscriber, get_atom_v, last_atom_v, std::string{"spectrometer"},
                               std::string{"measurement"});
  sched.run();
  CAF_CHECK(code_of(none->error) == client::client_errc::unknown_message);
  subscribe("spectrometer", "measurement");
  publish("spectrometer", "measurement", "1");
  publish("spectrometer", "measurement", "2");
  wake();
  auto last = ask<wire::event>(subscriber, get_atom_v, last_atom_v,
                               std::string{"spectrometer"}, std::string{"measurement"});
  sched.run();
  CAF_REQUIRE(last->value);
  CAF_CHECK_EQUAL(last->value->payload.view(), "2");
}

CAF_TEST(unsubscribing and sink termination remove the ZeroMQ subscription) {
  subscribe("spectrometer", "measurement");
  subscribe("motor", "moved");
  CAF_CHECK_EQUAL(wire().subscriptions.size(), 2u);
  self->send(subscriber, unsubscribe_atom_v, std::string{"motor"}, std::string{"moved"}, sink);
  sched.run();
  CAF_REQUIRE_EQUAL(wire().subscriptions.size(), 1u);
  CAF_CHECK_EQUAL(wire().subscriptions[0], "spectrometer/measurement");
  caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
  sched.run();
  CAF_CHECK(wire().subscriptions.empty());
  publish("spectrometer", "measurement", "3");
  wake();
  CAF_CHECK(got->empty());
}

CAF_TEST(malformed events are dropped without harm) {
  subscribe("spectrometer", "measurement");
  wire().inbox.push_back({wire::shared_bytes::copy_of("spectrometer/measurement")});
  publish("spectrometer", "measurement", "4");
  wake();
  CAF_REQUIRE_EQUAL(got->size(), 1u);
  CAF_CHECK_EQUAL(got->at(0).payload.view(), "4");
}

CAF_TEST_FIXTURE_SCOPE_END()

namespace {

/// A subscribe request's outcome, seen from a helper actor.
struct subscribe_outcome {
  bool done = false;
  caf::error error;
};

struct probe_fixture : event_fixture {
  event_subscriber_actor prober;

  probe_fixture() {
    event_subscriber_config cfg{"holobroker", "ipc:///tmp/x/holobroker.event-publisher.ipc"};
    cfg.probe = true;
    cfg.probe_timeout = std::chrono::seconds{2};
    prober = spawn_event_subscriber(sys, cfg, factory);
    sched.run();
  }

  std::shared_ptr<subscribe_outcome> subscribe_probed(const std::string& thing,
                                                      const std::string& event) {
    auto out = std::make_shared<subscribe_outcome>();
    sys.spawn(
      [prober = prober, sink = sink, thing, event](caf::event_based_actor* self,
                                                   std::shared_ptr<subscribe_outcome> o) {
        self->request(prober, caf::infinite, subscribe_atom_v, thing, event, sink)
          .then([=] { o->done = true; }, [=](caf::error& err) {
            o->done = true;
            o->error = std::move(err);
          });
      },
      out);
    sched.run();
    return out;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(event_subscriber_probe_tests, probe_fixture)

CAF_TEST(a probed subscription is reported only when the broker answers its probe) {
  auto out = subscribe_probed("spectrometer", "measurement");
  // Where a broker would tell a denial, then the subscription, then the
  // probe, on the same socket.
  CAF_REQUIRE_EQUAL(wire().subscriptions.size(), 3u);
  CAF_CHECK_EQUAL(wire().subscriptions[0], "holobroker/.denied/spectrometer/measurement");
  CAF_CHECK_EQUAL(wire().subscriptions[1], "spectrometer/measurement");
  auto probe = wire().subscriptions[2];
  CAF_CHECK(probe.rfind(std::string{subscription_probe_prefix}, 0) == 0);
  CAF_CHECK(!out->done);
  // The broker's answer: one event on exactly the probe topic.
  auto slash = probe.find('/');
  wire().inbox.push_back(wire::craft_event(wire::make_event(
    "holobroker", probe.substr(0, slash), probe.substr(slash + 1), wire::shared_bytes::copy_of("true"))));
  publish("spectrometer", "measurement", "5");
  wake();
  CAF_CHECK(out->done);
  CAF_CHECK(!out->error);
  // The probe subscription is gone, the probe never reaches the sink.
  CAF_CHECK_EQUAL(wire().subscriptions,
                  (std::vector<std::string>{"holobroker/.denied/spectrometer/measurement",
                                            "spectrometer/measurement"}));
  CAF_REQUIRE_EQUAL(got->size(), 1u);
  CAF_CHECK_EQUAL(got->at(0).payload.view(), "5");
}

CAF_TEST(a subscription the broker denies fails with its PermissionError and leaves nothing) {
  auto out = subscribe_probed("spectrometer", "measurement");
  CAF_REQUIRE_EQUAL(wire().subscriptions.size(), 3u);
  auto probe = wire().subscriptions[2];
  // The broker's denial to this subscriber, then its answer to the probe.
  wire().inbox.push_back(wire::craft_event(wire::make_event(
    "holobroker", "holobroker", ".denied/spectrometer/measurement",
    wire::shared_bytes::copy_of(
      R"({"exception":{"message":"holobroker: uid 7 may not subscribe Thing 'spectrometer'",)"
      R"("type":"PermissionError","traceback":[],"notes":null}})"))));
  auto slash = probe.find('/');
  wire().inbox.push_back(wire::craft_event(wire::make_event(
    "holobroker", probe.substr(0, slash), probe.substr(slash + 1), wire::shared_bytes::copy_of("true"))));
  wake();
  CAF_REQUIRE(out->done);
  CAF_CHECK(code_of(out->error) == client::client_errc::remote_exception);
  auto ex = client::remote_exception_of(out->error);
  CAF_REQUIRE(ex.has_value());
  CAF_CHECK_EQUAL(ex->type, "PermissionError");
  CAF_CHECK_EQUAL(ex->message, "holobroker: uid 7 may not subscribe Thing 'spectrometer'");
  CAF_CHECK(wire().subscriptions.empty());
  // A second subscription of the same topic starts afresh.
  auto again = subscribe_probed("spectrometer", "measurement");
  CAF_CHECK_EQUAL(wire().subscriptions.size(), 3u);
  CAF_CHECK(!again->done);
  CAF_CHECK(got->empty());
}

CAF_TEST(an unanswered probe fails the subscription with a timeout and leaves nothing) {
  auto out = subscribe_probed("spectrometer", "measurement");
  CAF_CHECK(!out->done);
  advance_time(std::chrono::seconds{2});
  sched.run();
  CAF_REQUIRE(out->done);
  CAF_CHECK(code_of(out->error) == client::client_errc::timeout);
  CAF_CHECK(sys.render(out->error).find("subscription probe") != std::string::npos);
  CAF_CHECK(wire().subscriptions.empty());
  publish("spectrometer", "measurement", "6");
  wake();
  CAF_CHECK(got->empty());
}

CAF_TEST_FIXTURE_SCOPE_END()
