#define CAF_SUITE live_events
#include <caf/test/unit_test.hpp>

#include <fstream>
#include <mutex>
#include <thread>

#include <caf/typed_event_based_actor.hpp>
#include <zmq.hpp>

#include "live_fixture.hpp"
#include "simulator.hpp"
#include "support/event_collector.hpp"

using namespace holobroker;
using namespace holobroker::client;
using namespace std::chrono_literals;
using holobroker::test::payload_of;

namespace {

/// Two events whose topics collide under ZeroMQ's prefix matching.
constexpr std::string_view colliding_events_yaml = R"(servers:
  - id: thing-sim
    things:
      - id: spectrometer
        template: spectrometer
        events:
          - {name: test_event, kind: counter, period_s: 0.02}
          - {name: test_event_with_json_schema, kind: counter, period_s: 0.02}
)";

struct events_fixture : holobroker::test::live_fixture {
  std::shared_ptr<test::collected_events> got = std::make_shared<test::collected_events>();

  /// Subscribes a collecting sink; returns subscriber and sink.
  std::pair<events::event_subscriber_actor, events::event_sink_actor>
  subscribe(const std::string& address, const std::string& event,
            std::shared_ptr<transport::transport_factory> transports) {
    auto sub = events::spawn_event_subscriber(sys, {"thing-sim", address}, transports);
    auto sink = test::spawn_collector(sys, got);
    caf::scoped_actor self{sys};
    bool ok = false;
    self->request(sub, caf::infinite, subscribe_atom_v, std::string{"spectrometer"}, event, sink)
      .receive([&] { ok = true; },
               [&](caf::error& err) { CAF_FAIL("subscribe failed: " << describe(err)); });
    CAF_CHECK(ok);
    return {sub, sink};
  }

  void check_exact(const std::string& topic) {
    std::lock_guard<std::mutex> guard{got->mtx};
    for (auto& ev : got->events) {
      CAF_CHECK_EQUAL(ev.topic, topic);
      CAF_CHECK_EQUAL(ev.header.event_id, topic);
    }
  }

  static void stop(const std::pair<events::event_subscriber_actor, events::event_sink_actor>& s) {
    caf::anon_send_exit(s.first, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(s.second, caf::exit_reason::user_shutdown);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(live_events_tests, events_fixture)

CAF_TEST(events over IPC match topics exactly and remember the last value) {
  auto yaml = dir.path() / "colliding.yaml";
  std::ofstream{yaml} << colliding_events_yaml;
  test::sim_process sim{dir.string(), {"--config", yaml.string()}};
  auto s = subscribe(sim.ipc_events, "test_event", factory);
  CAF_REQUIRE(eventually([&] { return got->size() >= 5; }));
  check_exact("spectrometer/test_event");
  caf::scoped_actor self{sys};
  self->request(s.first, caf::infinite, get_atom_v, last_atom_v, std::string{"spectrometer"},
                std::string{"test_event"})
    .receive([&](wire::event& ev) { CAF_CHECK_EQUAL(ev.topic, "spectrometer/test_event"); },
             [&](caf::error& err) { CAF_FAIL("no last value: " << describe(err)); });
  stop(s);
}

CAF_TEST(events over TCP) {
  test::sim_process sim{dir.string(), {"--event-period", "0.02"}};
  auto s = subscribe(sim.tcp_events, "measurement", factory);
  CAF_REQUIRE(eventually([&] { return got->size() >= 3; }));
  check_exact("spectrometer/measurement");
  stop(s);
}

CAF_TEST(requests and events over INPROC with an embedded simulator) {
  // INPROC needs one ZeroMQ context for server and client. This also shows
  // that ZMQ_FD wakes the reactor for inproc sockets in libzmq 4.3.4.
  auto ctx = std::make_shared<zmq::context_t>(1);
  auto scfg = sim::default_config();
  scfg.ipc = false;
  scfg.tcp.reset();
  scfg.log_level = "warn";
  auto simu = std::make_unique<sim::simulator>(scfg, ctx.get());
  simu->bind();
  std::thread loop{[&] { simu->run(false); }};
  auto inproc = transport::make_zmq_transport_factory(ctx);
  auto ep = wire::resolve_endpoints("INPROC", "thing-sim");
  CAF_REQUIRE(ep);
  {
    blocking_client c{sys, config(ep->request_address), inproc};
    CAF_CHECK(c.wait_connected());
    CAF_CHECK_EQUAL(payload_of(c.read_property("spectrometer", "serial_number")),
                    "\"SIM-SPEC-0001\"");
    CAF_CHECK_EQUAL(payload_of(c.write_property("motor", "position", "12.5")), "null");
    CAF_CHECK_EQUAL(payload_of(c.read_property("motor", "position")), "12.5");
    auto s = subscribe(ep->event_address, "measurement", inproc);
    CAF_CHECK(eventually([&] { return got->size() >= 1; }, 5s));
    check_exact("spectrometer/measurement");
    stop(s);
  }
  simu->request_stop();
  loop.join();
  simu.reset();
}

CAF_TEST_FIXTURE_SCOPE_END()
