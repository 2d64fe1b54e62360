// Unit tests of thing-sim's pieces without sockets: timers, faults, property
// validation, configuration parsing, payload scanning and Thing operations.

#define CAF_SUITE thing_sim.model
#include <caf/test/unit_test.hpp>

#include <vector>

#include "fault.hpp"
#include "sim_config.hpp"
#include "thing.hpp"
#include "timer_queue.hpp"

using namespace holobroker;
using namespace holobroker::sim;
using nlohmann::json;

namespace {

/// Records what a Thing publishes; timers go to a real timer_queue that the
/// test runs by hand with explicit time points.
struct fake_host : thing_host {
  timer_queue timers;
  std::vector<std::pair<std::string, std::string>> events;

  void publish(std::string_view thing, std::string_view name, wire::shared_bytes payload,
               wire::shared_bytes) override {
    events.emplace_back(std::string{thing} + "/" + std::string{name}, payload.to_string());
  }
  timer_id schedule(std::chrono::nanoseconds delay, timer_queue::callback fn) override {
    return timers.schedule_in(std::chrono::duration_cast<timer_queue::clock::duration>(delay),
                              std::move(fn));
  }
  void cancel(timer_id id) override { timers.cancel(id); }
};

struct fixture {
  fake_host host;
  std::unique_ptr<simulated_thing> thing;

  fixture() {
    thing = std::make_unique<simulated_thing>(*template_thing("spectrometer", "spec"), host);
  }

  outcome run(std::string_view op, std::string_view objekt, const std::string& payload = "null",
              const std::string& preserialized = "", std::string_view objekt_json = "") {
    auto j = json::parse(payload);
    operation_call call;
    call.operation = op;
    call.objekt = objekt;
    call.objekt_json = objekt_json;
    call.payload = &j;
    call.payload_frame = wire::shared_bytes::copy_of(payload);
    call.preserialized = wire::shared_bytes::copy_of(preserialized);
    return thing->execute(call);
  }
};

std::string error_type(const outcome& out) {
  return out.error ? out.error->type : "";
}

/// By value: CAF's check macros keep references to their arguments.
std::string error_type(const std::optional<remote_error>& err) {
  return err ? err->type : "";
}

} // namespace

CAF_TEST(timers run in deadline order and cancelled ones never run) {
  timer_queue q;
  std::vector<int> ran;
  auto t0 = timer_queue::clock::now();
  q.schedule_at(t0 + std::chrono::seconds{2}, [&] { ran.push_back(2); });
  auto one = q.schedule_at(t0 + std::chrono::seconds{1}, [&] { ran.push_back(1); });
  q.schedule_at(t0 + std::chrono::seconds{3}, [&] { ran.push_back(3); });
  q.cancel(one);
  CAF_CHECK(q.next_deadline() == t0 + std::chrono::seconds{2});
  CAF_CHECK_EQUAL(q.run_due(t0 + std::chrono::milliseconds{2500}), 1u);
  CAF_CHECK_EQUAL(ran, std::vector<int>{2});
  CAF_CHECK_EQUAL(q.run_due(t0 + std::chrono::seconds{10}), 1u);
  CAF_CHECK_EQUAL(ran, (std::vector<int>{2, 3}));
  CAF_CHECK(!q.next_deadline());
}

CAF_TEST(fault flags parse into specs and bad ones name the problem) {
  fault_spec spec;
  CAF_CHECK(!parse_fault_flag("latency,fixed_ms=5,jitter_ms=2.5", spec));
  CAF_CHECK(spec.mode == fault_mode::latency);
  CAF_CHECK_EQUAL(spec.fixed_ms, 5.0);
  CAF_CHECK_EQUAL(spec.jitter_ms, 2.5);
  auto unknown = parse_fault_flag("explode", spec);
  CAF_REQUIRE(unknown.has_value());
  CAF_CHECK(unknown->find("explode") != std::string::npos);
  CAF_CHECK(parse_fault_flag("drop,fraction=2", spec).has_value());
  CAF_CHECK(parse_fault_flag("drop,fraction", spec).has_value());
  CAF_CHECK(parse_fault_flag("drop,colour=1", spec).has_value());
}

CAF_TEST(fault state drops and garbles the configured fraction) {
  fault_state drop_all;
  fault_spec drop;
  drop.mode = fault_mode::drop;
  drop.fraction = 1.0;
  auto now = fault_state::clock::now();
  drop_all.apply(drop, now);
  CAF_CHECK(drop_all.swallow_reply(now));
  fault_state none;
  CAF_CHECK(!none.swallow_reply(now));
  CAF_CHECK(!none.garble_reply());
  fault_spec silent;
  silent.mode = fault_mode::silent;
  silent.duration_s = 1.0;
  none.apply(silent, now);
  CAF_CHECK(none.swallow_reply(now));
  CAF_CHECK(!none.swallow_reply(now + std::chrono::seconds{2})); // silence ended
  fault_spec clear;
  drop_all.apply(clear, now);
  CAF_CHECK(!drop_all.any());
}

CAF_TEST(property validation checks type range and pattern) {
  property_spec p;
  p.name = "x";
  p.type = value_type::number;
  p.minimum = 0;
  p.maximum = 10;
  CAF_CHECK(!p.validate(5));
  CAF_CHECK_EQUAL(error_type(p.validate(11)), "ValueError");
  CAF_CHECK_EQUAL(error_type(p.validate("5")), "TypeError");
  CAF_CHECK_EQUAL(error_type(p.validate(nullptr)), "ValueError");
  property_spec s;
  s.name = "s";
  s.type = value_type::string;
  s.pattern = "^[a-z]+";
  CAF_CHECK(!s.validate("hello"));
  CAF_CHECK_EQUAL(error_type(s.validate("WORLD")), "ValueError");
  property_spec i;
  i.name = "i";
  i.type = value_type::integer;
  CAF_CHECK(!i.validate(3));
  CAF_CHECK_EQUAL(error_type(i.validate(3.5)), "TypeError");
}

CAF_TEST(configuration errors name the offending entry) {
  auto cfg = parse_config("servers:\n  - id: a\n    things:\n      - {id: t, template: toaster}\n");
  CAF_REQUIRE(!cfg.has_value());
  CAF_CHECK(cfg.error().find("servers[0].things[0]") != std::string::npos);
  CAF_CHECK(cfg.error().find("toaster") != std::string::npos);
  auto dup = parse_config("servers:\n  - {id: a, things: [{id: t}, {id: t}]}\n");
  CAF_REQUIRE(!dup.has_value());
  CAF_CHECK(dup.error().find("used twice") != std::string::npos);
  auto bad_default = parse_config(
    "servers:\n  - id: a\n    things:\n      - id: t\n        properties:\n"
    "          - {name: p, type: integer, default: \"x\"}\n");
  CAF_REQUIRE(!bad_default.has_value());
  CAF_CHECK(bad_default.error().find("properties[0]") != std::string::npos);
  CAF_CHECK(!parse_config("servers: [").has_value());
  auto good = parse_config(
    "tcp: \"127.0.0.1:0\"\nservers:\n  - id: a\n    things:\n      - {id: m, template: motor}\n");
  CAF_REQUIRE(good.has_value());
  CAF_CHECK_EQUAL(good->tcp.value_or(""), "127.0.0.1:0");
  CAF_CHECK_EQUAL(good->servers.at(0).things.at(0).actions.size(), 5u);
}

CAF_TEST(configuration errors say file line column and key as the daemon config does) {
  auto typo = parse_config("servers:\n  - id: a\n    thingz: []\n", "sim.yaml");
  CAF_REQUIRE(!typo.has_value());
  CAF_CHECK_EQUAL(typo.error().rfind("sim.yaml:3:5: servers[0].thingz: unknown key", 0), 0u);
  auto flag = parse_config(
    "servers:\n  - id: a\n    things:\n      - id: t\n        properties:\n"
    "          - {name: p, observable: maybe}\n",
    "sim.yaml");
  CAF_REQUIRE(!flag.has_value());
  CAF_CHECK_EQUAL(flag.error(), "sim.yaml:6:35: servers[0].things[0].properties[0].observable: "
                                "must be true or false");
  auto syntax = parse_config("servers: [\n", "sim.yaml");
  CAF_REQUIRE(!syntax.has_value());
  CAF_CHECK(syntax.error().rfind("sim.yaml:", 0) == 0);
  CAF_CHECK(syntax.error().find("invalid YAML") != std::string::npos);
  auto empty = parse_config("servers: []\n", "sim.yaml");
  CAF_REQUIRE(!empty.has_value());
  CAF_CHECK(empty.error().find("servers: must list at least one server") != std::string::npos);
}

CAF_TEST(generated fleets number their servers from the first one asked for) {
  auto fleet = sim::generated_fleet(2, 2, 5);
  CAF_REQUIRE_EQUAL(fleet.size(), 2u);
  CAF_CHECK_EQUAL(fleet[0].id, "sim-5");
  CAF_CHECK_EQUAL(fleet[1].id, "sim-6");
  CAF_REQUIRE_EQUAL(fleet[1].things.size(), 2u);
  CAF_CHECK_EQUAL(fleet[1].things[1].id, "thing-6-1");
  auto plain = sim::generated_fleet(1, 1);
  CAF_CHECK_EQUAL(plain.front().things.front().id, "thing-0-0");
}

CAF_TEST(the example configuration and the conformance model load) {
  for (const char* file : {THING_SIM_EXAMPLE_CONFIG, THING_SIM_TEST_CONFIG}) {
    auto cfg = load_config_file(file);
    if (!cfg)
      CAF_FAIL(cfg.error());
    CAF_CHECK_EQUAL(cfg->servers.size(), 2u);
  }
  CAF_CHECK(!load_config_file("/nonexistent/thing-sim.yaml").has_value());
}

CAF_TEST_FIXTURE_SCOPE(thing_operations, fixture)

CAF_TEST(property reads writes and errors mirror hololinked) {
  CAF_CHECK_EQUAL(run("readproperty", "integration_time").payload.to_string(), "10.0");
  CAF_CHECK_EQUAL(error_type(run("readproperty", "nope")), "KeyError");
  CAF_CHECK(!run("writeproperty", "integration_time", "25").error);
  CAF_CHECK_EQUAL(run("readproperty", "integration_time").payload.to_string(), "25");
  CAF_REQUIRE_EQUAL(host.events.size(), 1u);
  CAF_CHECK_EQUAL(host.events[0].first, "spec/integration_time_change_event");
  CAF_CHECK_EQUAL(error_type(run("writeproperty", "serial_number", "\"x\"")), "AttributeError");
  CAF_CHECK_EQUAL(error_type(run("fooproperty", "count")), "NotImplementedError");
  CAF_CHECK_EQUAL(error_type(run("writemultipleproperties", "", "{}")), "TypeError");
  CAF_CHECK_EQUAL(run("readmultipleproperties", "count,enabled").payload.to_string(),
                  R"({"count":0,"enabled":true})");
  CAF_CHECK_EQUAL(run("readmultipleproperties", "", "null", "", R"(["enabled"])").payload.to_string(),
                  R"({"enabled":true})");
  CAF_CHECK_EQUAL(error_type(run("readallproperties", "")), "AttributeError");
}

CAF_TEST(actions bind kwargs positional args and preserialized bytes) {
  CAF_CHECK_EQUAL(run("invokeaction", "echo", R"({"k":[1]})").payload.to_string(), R"({"k":[1]})");
  CAF_CHECK_EQUAL(run("invokeaction", "echo", R"({"__args__":["p"]})").payload.to_string(), "\"p\"");
  auto bytes = run("invokeaction", "echo", "{}", "raw");
  CAF_CHECK(bytes.preencoded_result);
  CAF_CHECK_EQUAL(bytes.preserialized.to_string(), "raw");
  CAF_CHECK_EQUAL(bytes.payload.to_string(), "null");
  auto sleep = run("invokeaction", "sleep", R"({"__args__":[0.25]})");
  CAF_CHECK(!sleep.error);
  CAF_CHECK_EQUAL(sleep.duration.count(), 250'000'000);
  CAF_CHECK_EQUAL(error_type(run("invokeaction", "sleep", R"({"__args__":[1,2]})")), "TypeError");
  CAF_CHECK_EQUAL(error_type(run("invokeaction", "sleep", R"({"__args__":[1],"seconds":2})")),
                  "TypeError");
  CAF_CHECK_EQUAL(error_type(run("invokeaction", "sleep", "[1]")), "TypeError");
  CAF_CHECK_EQUAL(error_type(run("invokeaction", "nope", "{}")), "KeyError");
  CAF_CHECK_EQUAL(error_type(run("invokeaction", "fail", "{}")), "ValueError");
  CAF_CHECK_EQUAL(run("invokeaction", "ping", "{}").payload.to_string(), "null");
}

CAF_TEST_FIXTURE_SCOPE_END()
