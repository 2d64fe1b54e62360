#define CAF_SUITE daemon_events
#include <caf/test/unit_test.hpp>

#include <condition_variable>
#include <fstream>
#include <sstream>
#include <mutex>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <nlohmann/json.hpp>

#include "fleet_fixture.hpp"
#include "holobroker/broker/listener.hpp"
#include "holobroker/broker/zmq_listener.hpp"
#include "holobroker/client/error.hpp"
#include "holobroker/client/type_ids.hpp"
#include "holobroker/events/event_subscriber.hpp"
#include "holobroker/transport/reactor.hpp"
#include "holobroker/transport/zmq_transport.hpp"
#include "support/process.hpp"
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

/// Events a sink actor received, for the test thread to wait on.
struct collected {
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<wire::event> events;

  /// Waits (bounded) for an event with this payload.
  bool wait_for_payload(std::string_view payload, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock{mtx};
    return cv.wait_for(lock, timeout, [&] {
      for (auto& ev : events)
        if (ev.payload.view() == payload)
          return true;
      return false;
    });
  }
};

events::event_sink_actor::behavior_type sink_fn(events::event_sink_actor::pointer,
                                                std::shared_ptr<collected> out) {
  return {[out](events::event_atom, const wire::event& ev) {
    std::lock_guard<std::mutex> guard{out->mtx};
    out->events.push_back(ev);
    out->cv.notify_all();
  }};
}

struct library_config : caf::actor_system_config {
  library_config() {
    set("logger.file-verbosity", caf::atom("quiet"));
    set("logger.console-verbosity", caf::atom("quiet"));
    set("scheduler.policy", caf::atom("sharing"));
    set("scheduler.max-threads", 2);
    client::add_message_types(*this);
  }
};

/// The next message the broker's publisher socket yields within `timeout`
/// (subscriptions arrive asynchronously; bounded wait).
std::optional<wire::multipart> receive_within(broker::publisher_socket& pub,
                                              std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (auto frames = pub.receive())
      return frames;
    std::this_thread::sleep_for(1ms);
  }
  return std::nullopt;
}

/// Reads subscription messages until `\x01topic` arrives; applies the filter
/// (as the fan-in does). False if it did not come in time.
bool accept_subscription(broker::publisher_socket& pub, const std::string& topic) {
  for (;;) {
    auto frames = receive_within(pub, 5s);
    if (!frames)
      return false;
    auto msg = (*frames)[0].to_string();
    if (msg == "\x01" + topic) {
      pub.filter(topic, true);
      return true;
    }
  }
}

wire::multipart event_frames(const std::string& event, const std::string& payload) {
  return wire::craft_event(
    wire::make_event("srv", "t", event, wire::shared_bytes::copy_of(payload)));
}

/// Whether `path` contains `text` within `timeout` (a child's stderr log).
bool file_shows(const std::string& path, const std::string& text,
                std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    std::ifstream in{path};
    std::stringstream all;
    all << in.rdbuf();
    if (all.str().find(text) != std::string::npos)
      return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

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

CAF_TEST(a late subscriber gets the last value at once and the others get it exactly once) {
  start_sim({"--config", sim_config()});
  start_daemon(lab_thing("    last_value: [prop_change_event]\n"));
  auto c = client("raw-client-late");
  subscriber early{ctx, daemon->events("ipc")};
  early.subscribe("lab/prop");
  std::optional<wire::event> change;
  for (int i = 0; i < 100 && !change; ++i) {
    CAF_REQUIRE(c->call("holobroker", op(*c, "lab", "prop", "writeproperty",
                                         std::to_string(100 + i))));
    change = early.next(100ms);
  }
  CAF_REQUIRE(change.has_value());
  // Drain what the early subscriber may still get from the writes above.
  while (auto more = early.next(200ms))
    change = more;
  auto last = std::string{change->payload.view()};
  subscriber late{ctx, daemon->events("ipc")};
  late.subscribe("lab/prop");
  auto got = late.next(5s);
  CAF_REQUIRE(got.has_value());
  CAF_CHECK_EQUAL(got->topic, "lab/prop_change_event");
  CAF_CHECK_EQUAL(got->payload.view(), last);
  CAF_CHECK_EQUAL(got->header.message_id, change->header.message_id);
  // The early subscriber did not get it a second time.
  CAF_CHECK(!early.next(300ms).has_value());
  // From now on both get each new event once.
  CAF_REQUIRE(c->call("holobroker", op(*c, "lab", "prop", "writeproperty", "9999")));
  for (auto* s : {&early, &late}) {
    auto ev = s->next(5s);
    CAF_REQUIRE(ev.has_value());
    CAF_CHECK_EQUAL(ev->payload.view(), "9999");
    CAF_CHECK(!s->next(200ms).has_value());
  }
}

CAF_TEST(no event published after a probed subscription returns is lost) {
  start_sim({"--config", sim_config()});
  // Pinned: the broker is subscribed upstream before any trial, so what is
  // under test is the broker's own publisher (a new SUB pipe per trial).
  start_daemon(lab_thing("    events: [prop_change_event]\n"));
  auto c = client("raw-client-probe");
  library_config cfg;
  caf::actor_system sys{cfg};
  auto transports = transport::make_zmq_transport_factory();
  // Probed (what the library and the CLI do through the broker), then the
  // same without the probe: the control shows what the probe prevents.
  auto lost_in = [&](bool probe, int trials, int first_value) {
    int lost = 0;
    for (int trial = 0; trial < trials; ++trial) {
      events::event_subscriber_config scfg{"holobroker", daemon->events("ipc")};
      scfg.probe = probe;
      auto sub = events::spawn_event_subscriber(sys, scfg, transports);
      auto got = std::make_shared<collected>();
      auto sink = sys.spawn(sink_fn, got);
      {
        caf::scoped_actor self{sys};
        bool ok = false;
        self
          ->request(sub, caf::infinite, events::subscribe_atom_v, std::string{"lab"},
                    std::string{"prop_change_event"}, sink)
          .receive([&] { ok = true; },
                   [&](caf::error& err) { CAF_FAIL("subscribe failed: " << sys.render(err)); });
        CAF_REQUIRE(ok);
      }
      // Subscribed: the very next event must arrive.
      auto value = std::to_string(first_value + trial);
      CAF_REQUIRE(c->call("holobroker", op(*c, "lab", "prop", "writeproperty", value)));
      if (!got->wait_for_payload(value, probe ? 5s : 300ms))
        ++lost;
      caf::anon_send_exit(sub, caf::exit_reason::user_shutdown);
      caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
    }
    return lost;
  };
  constexpr int trials = 200;
  auto start = std::chrono::steady_clock::now();
  CAF_CHECK_EQUAL(lost_in(true, trials, 1000), 0);
  auto took = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
  CAF_MESSAGE("probed: " << trials << " trials, 0 lost expected, "
                         << took.count() / trials << " ms per trial");
  auto unprobed = lost_in(false, 50, 5000);
  CAF_MESSAGE("control without probe: " << unprobed << " of 50 events lost");
}

CAF_TEST(the CLI reports a subscription through the broker only once the broker confirmed it) {
  start_sim({"--config", sim_config()});
  start_daemon(lab_thing("    events: [prop_change_event]\n"));
  auto c = client("raw-client-cli");
  constexpr int trials = 10;
  for (int trial = 0; trial < trials; ++trial) {
    auto log = files.string() + "/cli-subscribe-" + std::to_string(trial) + ".log";
    child_process cli{HOLOBROKER_CLI_BINARY,
                      {"--broker", daemon->frontend("ipc"), "--broker-id", "holobroker",
                       "--log-level", "info", "subscribe", "lab", "prop_change_event", "--count",
                       "1"},
                      {},
                      log};
    CAF_REQUIRE(file_shows(log, "subscribed to lab/prop_change_event (confirmed by the broker)",
                           10s));
    auto value = std::to_string(7000 + trial);
    CAF_REQUIRE(c->call("holobroker", op(*c, "lab", "prop", "writeproperty", value)));
    auto line = cli.read_line(5s);
    CAF_REQUIRE(line.has_value());
    CAF_CHECK_EQUAL(*line, value);
    auto status = cli.wait_exit(5s);
    CAF_REQUIRE(status.has_value());
    CAF_CHECK_EQUAL(exit_code_of(*status), 0);
  }
}

CAF_TEST(the publisher sends right after a subscription to that subscriber only) {
  // What the last value rests on: libzmq 4.3.4's ZMQ_XPUB_MANUAL_LAST_VALUE
  // (a draft option in zmq.h, implemented by Debian's build). If a libzmq
  // update drops or changes it, this test says so.
  auto io = std::make_shared<transport::reactor>();
  auto ctx_ptr = std::shared_ptr<zmq::context_t>(&ctx, [](zmq::context_t*) {});
  auto factory = broker::make_zmq_listener_factory(ctx_ptr, io);
  auto address = "ipc://" + files.string() + "/pub.ipc";
  auto opened = factory->open_publisher({address}, {});
  CAF_REQUIRE(opened.has_value());
  auto& pub = *opened->socket;
  CAF_REQUIRE(pub.manual());
  subscriber early{ctx, address};
  early.subscribe("t/x");
  CAF_REQUIRE(accept_subscription(pub, "t/x"));
  pub.send(event_frames("x", "1"));
  auto first = early.next(5s);
  CAF_REQUIRE(first.has_value());
  CAF_CHECK_EQUAL(first->payload.view(), "1");
  subscriber late{ctx, address};
  late.subscribe("t/x");
  CAF_REQUIRE(accept_subscription(pub, "t/x"));
  CAF_CHECK(pub.send_to_current(event_frames("x", "1")));
  auto got = late.next(5s);
  CAF_REQUIRE(got.has_value());
  CAF_CHECK_EQUAL(got->payload.view(), "1");
  CAF_CHECK(!early.next(300ms).has_value());
  // Only once per subscription message; later sends reach every filter.
  CAF_CHECK(!pub.send_to_current(event_frames("x", "never")));
  pub.send(event_frames("x", "2"));
  for (auto* s : {&early, &late}) {
    auto ev = s->next(5s);
    CAF_REQUIRE(ev.has_value());
    CAF_CHECK_EQUAL(ev->payload.view(), "2");
    CAF_CHECK(!s->next(200ms).has_value());
  }
  // A subscriber without a filter from us receives nothing.
  subscriber unfiltered{ctx, address};
  unfiltered.subscribe("t/x");
  auto sub = receive_within(pub, 5s);
  CAF_REQUIRE(sub.has_value());
  pub.send(event_frames("x", "3"));
  CAF_CHECK(!unfiltered.next(300ms).has_value());
  CAF_CHECK(early.next(5s).has_value());
}

CAF_TEST(without manual mode the publisher filters as a plain XPUB and sends no last values) {
  auto io = std::make_shared<transport::reactor>();
  auto ctx_ptr = std::shared_ptr<zmq::context_t>(&ctx, [](zmq::context_t*) {});
  auto factory = broker::make_zmq_listener_factory(ctx_ptr, io);
  auto address = "ipc://" + files.string() + "/plain.ipc";
  broker::frontend_options options;
  options.manual_last_value = false;
  auto opened = factory->open_publisher({address}, options);
  CAF_REQUIRE(opened.has_value());
  auto& pub = *opened->socket;
  CAF_CHECK(!pub.manual());
  subscriber a{ctx, address};
  a.subscribe("t/x");
  auto sub = receive_within(pub, 5s);
  CAF_REQUIRE(sub.has_value());
  CAF_CHECK_EQUAL((*sub)[0].to_string(), "\x01t/x");
  CAF_CHECK(!pub.send_to_current(event_frames("x", "0")));
  pub.send(event_frames("x", "1"));
  auto ev = a.next(5s);
  CAF_REQUIRE(ev.has_value());
  CAF_CHECK_EQUAL(ev->payload.view(), "1");
}

CAF_TEST(a probe to a plain hololinked publisher times out with a clear error) {
  start_sim({"--config", sim_config()});
  library_config cfg;
  caf::actor_system sys{cfg};
  events::event_subscriber_config scfg{"thing-sim", sim->address("thing-sim", "ipc").events};
  scfg.probe = true;
  scfg.probe_timeout = 300ms;
  auto sub = events::spawn_event_subscriber(sys, scfg, transport::make_zmq_transport_factory());
  auto sink = sys.spawn(sink_fn, std::make_shared<collected>());
  caf::scoped_actor self{sys};
  std::optional<caf::error> failure;
  self
    ->request(sub, caf::infinite, events::subscribe_atom_v, std::string{"lab"},
              std::string{"test_event"}, sink)
    .receive([] {}, [&](caf::error& err) { failure = std::move(err); });
  CAF_REQUIRE(failure.has_value());
  CAF_CHECK_EQUAL(failure->code(), static_cast<std::uint8_t>(client::client_errc::timeout));
  CAF_CHECK(sys.render(*failure).find("subscription probe") != std::string::npos);
  caf::anon_send_exit(sub, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
}

CAF_TEST_FIXTURE_SCOPE_END()
