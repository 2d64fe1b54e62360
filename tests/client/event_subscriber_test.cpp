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
