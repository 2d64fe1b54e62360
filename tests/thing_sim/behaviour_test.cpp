// thing-sim's contract with the rest of holobroker: startup output, the
// default fleet's properties/actions/events, timeouts, events, shutdown and
// configuration errors, checked against the real binary over IPC and TCP.

#define CAF_SUITE thing_sim.behaviour
#include <caf/test/unit_test.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "holobroker/wire/address.hpp"
#include "sim_process.hpp"
#include "sim_test_helpers.hpp"
#include "support/golden.hpp"

using namespace holobroker;
using namespace holobroker::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr auto server = "thing-sim";

using fixture = sim_client_fixture;

wire::server_execution_context timeouts(std::optional<double> invokation,
                                        std::optional<double> execution) {
  wire::server_execution_context ctx;
  ctx.invokation_timeout = invokation;
  ctx.execution_timeout = execution;
  return ctx;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(behaviour, fixture)

CAF_TEST(startup prints one line per server and transport then ready) {
  sim_process sim{{"--tcp", "127.0.0.1:0", "--event-period", "0"}};
  const auto& lines = sim.process().lines();
  CAF_REQUIRE_EQUAL(lines.size(), 3u);
  CAF_CHECK_EQUAL(lines[0], "server thing-sim " + wire::ipc_request_address(sim.ipc_dir(), server)
                              + " events " + wire::ipc_event_address(sim.ipc_dir(), server));
  const auto& tcp = sim.address(server, "tcp");
  CAF_CHECK(lines[1].rfind("server thing-sim tcp://127.0.0.1:", 0) == 0);
  CAF_CHECK_EQUAL(tcp.events, wire::tcp_event_address(tcp.request));
  CAF_CHECK_EQUAL(lines[2], "ready");
  CAF_CHECK(std::filesystem::exists(sim.ipc_dir() + "/sockets/thing-sim.ipc"));
}

CAF_TEST(the default fleet has the documented properties over IPC and TCP) {
  sim_process sim{{"--tcp", "127.0.0.1:0", "--event-period", "0"}};
  for (std::string transport : {"ipc", "tcp"}) {
    raw_client c{ctx, "props-" + transport, sim.address(server, transport).request};
    CAF_REQUIRE(c.handshake(server));
    auto expect_type = [&](const std::string& thing, const std::string& prop, auto pred) {
      auto res = call(c, thing, prop, "readproperty");
      CAF_REQUIRE(res.has_value());
      CAF_CHECK_EQUAL(res->header.type, wire::message_type::reply);
      auto value = payload_json(*res);
      if (!pred(value))
        CAF_FAIL(thing << "." << prop << " has unexpected value " << value.dump());
    };
    expect_type("spectrometer", "integration_time", [](const json& v) { return v.is_number(); });
    expect_type("spectrometer", "serial_number", [](const json& v) { return v.is_string(); });
    expect_type("spectrometer", "wavelengths",
                [](const json& v) { return v.is_array() && !v.empty(); });
    expect_type("spectrometer", "settings", [](const json& v) { return v.is_object(); });
    expect_type("spectrometer", "count", [](const json& v) { return v.is_number_integer(); });
    expect_type("spectrometer", "enabled", [](const json& v) { return v.is_boolean(); });
    expect_type("motor", "position", [](const json& v) { return v.is_number(); });
    expect_type("motor", "moving", [](const json& v) { return v == false; });
  }
}

CAF_TEST(writes are validated and observable writes publish change events) {
  sim_process sim{{"--event-period", "0"}};
  const auto& addr = sim.address(server, "ipc");
  raw_client c{ctx, "writer", addr.request};
  CAF_REQUIRE(c.handshake(server));
  auto sub = subscriber(ctx, addr.events, "spectrometer/integration_time_change_event");
  // PUB/SUB drops messages until the subscription has arrived: write until
  // the event shows up (bounded).
  std::optional<wire::event> ev;
  for (int i = 0; i < 50 && !ev; ++i) {
    auto res = call(c, "spectrometer", "integration_time", "writeproperty", "20.5");
    CAF_REQUIRE(res.has_value());
    CAF_REQUIRE_EQUAL(res->header.type, wire::message_type::reply);
    CAF_CHECK_EQUAL(res->payload.view(), "null");
    ev = next_event(sub, "spectrometer/integration_time_change_event", 100ms);
  }
  CAF_REQUIRE(ev.has_value());
  CAF_CHECK_EQUAL(ev->payload.view(), "20.5");
  // Same header fields, in the same order, as the real server's change event.
  auto golden = load_golden("ipc-event-observable-property-change.json");
  auto golden_header = nlohmann::ordered_json::parse(golden.messages.at(0).frames.at(2).view());
  auto our_header = nlohmann::ordered_json::parse(wire::encode(ev->header));
  std::vector<std::string> golden_keys, our_keys;
  for (const auto& [k, _] : golden_header.items())
    golden_keys.push_back(k);
  for (const auto& [k, _] : our_header.items())
    our_keys.push_back(k);
  CAF_CHECK_EQUAL(our_keys, golden_keys);
  CAF_CHECK_EQUAL(ev->header.payload_content_type, golden_header["payloadContentType"]);
  CAF_CHECK_EQUAL(ev->header.preencoded_payload_content_type,
                  golden_header["preencodedPayloadContentType"]);
  CAF_CHECK_EQUAL(ev->header.sender_id, "thing-sim/event-publisher");
  CAF_CHECK_EQUAL(ev->header.event_id, "spectrometer/integration_time_change_event");
  auto read = call(c, "spectrometer", "integration_time", "readproperty");
  CAF_REQUIRE(read.has_value());
  CAF_CHECK_EQUAL(read->payload.view(), "20.5");
  auto out_of_range = call(c, "spectrometer", "integration_time", "writeproperty", "1e9");
  CAF_REQUIRE(out_of_range.has_value());
  CAF_CHECK_EQUAL(out_of_range->header.type, wire::message_type::exception);
  CAF_CHECK_EQUAL(exception_type(*out_of_range), "ValueError");
  auto wrong_type = call(c, "spectrometer", "enabled", "writeproperty", "\"yes\"");
  CAF_REQUIRE(wrong_type.has_value());
  CAF_CHECK_EQUAL(exception_type(*wrong_type), "TypeError");
  auto read_only = call(c, "spectrometer", "serial_number", "writeproperty", "\"X\"");
  CAF_REQUIRE(read_only.has_value());
  CAF_CHECK_EQUAL(exception_type(*read_only), "AttributeError");
  auto unchanged = call(c, "spectrometer", "integration_time", "readproperty");
  CAF_CHECK_EQUAL(unchanged->payload.view(), "20.5");
}

CAF_TEST(measurement events are published periodically) {
  sim_process sim{{"--event-period", "0.05"}};
  auto sub = subscriber(ctx, sim.address(server, "ipc").events, "spectrometer/measurement");
  auto ev = next_event(sub, "spectrometer/measurement", 10s);
  CAF_REQUIRE(ev.has_value());
  CAF_CHECK_EQUAL(ev->header.event_id, "spectrometer/measurement");
  auto payload = json::parse(ev->payload.view());
  CAF_CHECK(payload["intensity"].is_array());
  CAF_CHECK_EQUAL(payload["intensity"].size(), 16u);
  auto second = next_event(sub, "spectrometer/measurement", 10s);
  CAF_REQUIRE(second.has_value());
  CAF_CHECK_NOT_EQUAL(second->header.message_id, ev->header.message_id);
}

CAF_TEST(actions return values and kwargs and positional args and bytes) {
  sim_process sim{{"--event-period", "0"}};
  raw_client c{ctx, "actions", sim.address(server, "ipc").request};
  CAF_REQUIRE(c.handshake(server));
  auto acquire = call(c, "spectrometer", "acquire", "invokeaction", R"({"averages":2})");
  CAF_REQUIRE(acquire.has_value());
  CAF_CHECK_EQUAL(payload_json(*acquire).size(), 16u);
  auto echo = call(c, "spectrometer", "echo", "invokeaction", R"({"a":[1,2],"b":"x"})");
  CAF_REQUIRE(echo.has_value());
  CAF_CHECK_EQUAL(echo->payload.view(), R"({"a":[1,2],"b":"x"})");
  auto positional = call(c, "spectrometer", "echo", "invokeaction", R"({"__args__":[3.5]})");
  CAF_CHECK_EQUAL(positional->payload.view(), "3.5");
  std::string big = R"({"blob":")" + std::string(1 << 20, 'q') + R"("})";
  auto big_echo = call(c, "spectrometer", "echo", "invokeaction", big);
  CAF_REQUIRE(big_echo.has_value());
  CAF_CHECK(big_echo->payload.view() == big);
  auto bytes = call(c, "spectrometer", "raw_bytes", "invokeaction", "{}");
  CAF_REQUIRE(bytes.has_value());
  CAF_CHECK_EQUAL(bytes->payload.view(), "null");
  CAF_CHECK_EQUAL(bytes->preserialized.view(), "raw spectrometer bytes");
  CAF_CHECK_EQUAL(bytes->header.preencoded_payload_content_type, "application/json");
  auto sized = call(c, "spectrometer", "raw_bytes", "invokeaction", R"({"size":1000})");
  CAF_CHECK_EQUAL(sized->preserialized.size(), 1000u);
  auto fail = call(c, "spectrometer", "fail", "invokeaction", "{}");
  CAF_CHECK_EQUAL(fail->header.type, wire::message_type::exception);
  CAF_CHECK_EQUAL(exception_type(*fail), "ValueError");
  auto bad_kwarg = call(c, "spectrometer", "acquire", "invokeaction", R"({"nope":1})");
  CAF_CHECK_EQUAL(exception_type(*bad_kwarg), "TypeError");
  auto ping = call(c, "motor", "ping", "invokeaction", "{}");
  CAF_CHECK_EQUAL(ping->header.type, wire::message_type::reply);
  auto set = call(c, "spectrometer", "_set_properties", "invokeaction",
                  R"({"count":7,"enabled":false})");
  CAF_CHECK_EQUAL(set->header.type, wire::message_type::reply);
  auto get = call(c, "spectrometer", "_get_properties", "invokeaction",
                  R"({"names":["enabled","count"]})");
  CAF_CHECK_EQUAL(get->payload.view(), R"({"enabled":false,"count":7})");
}

CAF_TEST(one operation at a time per Thing with invokation and execution timeouts) {
  sim_process sim{{"--event-period", "0"}};
  raw_client c{ctx, "timeouts", sim.address(server, "ipc").request};
  CAF_REQUIRE(c.handshake(server));
  auto exec = call(c, "spectrometer", "sleep", "invokeaction", R"({"seconds":0.5})",
                   timeouts(std::nullopt, 0.1));
  CAF_REQUIRE(exec.has_value());
  CAF_CHECK_EQUAL(exec->header.type, wire::message_type::timeout);
  CAF_CHECK_EQUAL(exec->payload.view(), "\"execution\"");
  // Busy Thing: a queued read times out waiting, another read waits its turn.
  auto sleep = operation(c.identity(), server, "spectrometer", "sleep", "invokeaction",
                         R"({"seconds":0.5})", timeouts(std::nullopt, std::nullopt));
  auto hurried = operation(c.identity(), server, "spectrometer", "count", "readproperty",
                           "null", timeouts(0.1, std::nullopt));
  auto patient = operation(c.identity(), server, "spectrometer", "count", "readproperty");
  auto other_thing = operation(c.identity(), server, "motor", "position", "readproperty");
  for (const auto* r : {&sleep, &hurried, &patient, &other_thing})
    c.send(wire::craft_request(server, *r));
  std::vector<std::pair<std::string, wire::message_type>> order;
  while (order.size() < 4) {
    auto msg = c.recv(5s);
    CAF_REQUIRE(msg.has_value());
    auto res = wire::parse_response(*msg);
    CAF_REQUIRE(res.has_value());
    order.emplace_back(res->header.message_id, res->header.type);
  }
  using wire::message_type;
  std::vector<std::pair<std::string, message_type>> expected{
    {other_thing.header.message_id, message_type::reply}, // motor is not busy
    {hurried.header.message_id, message_type::timeout},
    {sleep.header.message_id, message_type::reply},
    {patient.header.message_id, message_type::reply},
  };
  CAF_CHECK(order == expected);
}

CAF_TEST(the motor moves and publishes position changes) {
  sim_process sim{{"--event-period", "0"}};
  const auto& addr = sim.address(server, "ipc");
  raw_client c{ctx, "mover", addr.request};
  CAF_REQUIRE(c.handshake(server));
  auto sub = subscriber(ctx, addr.events, "motor/position_change_event");
  std::optional<wire::event> ev;
  double target = 1.0;
  for (int i = 0; i < 50 && !ev; ++i, target += 1.0) {
    auto res = call(c, "motor", "move_to", "invokeaction",
                    R"({"position":)" + std::to_string(target) + "}");
    CAF_REQUIRE(res.has_value());
    CAF_REQUIRE_EQUAL(res->header.type, wire::message_type::reply);
    ev = next_event(sub, "motor/position_change_event", 200ms);
  }
  CAF_REQUIRE(ev.has_value());
  auto moved_to = json::parse(ev->payload.view()).get<double>();
  CAF_CHECK_GREATER(moved_to, 0.0);
  auto far = call(c, "motor", "move_to", "invokeaction", R"({"position":5000})");
  CAF_CHECK_EQUAL(exception_type(*far), "ValueError");
  auto home = call(c, "motor", "home", "invokeaction", "{}");
  CAF_CHECK_EQUAL(home->header.type, wire::message_type::reply);
  auto stop = call(c, "motor", "stop", "invokeaction", "{}");
  CAF_CHECK_EQUAL(stop->header.type, wire::message_type::reply);
  auto moving = call(c, "motor", "moving", "readproperty");
  CAF_CHECK_EQUAL(moving->payload.view(), "false");
}

CAF_TEST(termination signals stop cleanly and remove the IPC files) {
  for (int sig : {SIGTERM, SIGINT}) {
    sim_process sim{{"--event-period", "0"}};
    auto file = sim.ipc_dir() + "/sockets/thing-sim.ipc";
    CAF_REQUIRE(std::filesystem::exists(file));
    sim.process().signal(sig);
    auto status = sim.process().wait_exit(10s);
    CAF_REQUIRE(status.has_value());
    CAF_CHECK_EQUAL(exit_code_of(*status), 0);
    CAF_CHECK(!std::filesystem::exists(file));
    CAF_CHECK(!std::filesystem::exists(sim.ipc_dir() + "/sockets/thing-sim.event-publisher.ipc"));
  }
}

CAF_TEST(a bad configuration exits non-zero before ready) {
  temp_dir dir;
  auto bad = dir.path() / "bad.yaml";
  std::ofstream{bad} << "servers:\n  - id: s\n    things:\n      - {id: t, colour: red}\n";
  for (const auto& args : std::vector<std::vector<std::string>>{
         {"--config", bad.string()},
         {"--temp-dir", dir.string(), "--tcp", "localhost:notaport"},
         {"--temp-dir", dir.string(), "--fault", "nosuchthing:drop"},
         {"--temp-dir", dir.string(), "--fault", "spectrometer:explode"},
         {"--temp-dir", dir.string(), "--no-ipc"},
       }) {
    child_process proc{thing_sim_binary(), args};
    auto status = proc.wait_exit(10s);
    CAF_REQUIRE(status.has_value());
    CAF_CHECK_NOT_EQUAL(exit_code_of(*status), 0);
    CAF_CHECK(!proc.wait_for_line([](const std::string& l) { return l == "ready"; }, 100ms));
  }
}

CAF_TEST(generated fleets serve N servers with M things) {
  sim_process sim{{"--servers", "3", "--things", "2", "--event-period", "0"}};
  CAF_CHECK_EQUAL(sim.server_lines().size(), 3u);
  raw_client c{ctx, "fleet", sim.address("sim-2", "ipc").request};
  CAF_REQUIRE(c.handshake("sim-2"));
  auto res = c.call("sim-2", operation(c.identity(), "sim-2", "thing-2-1", "count",
                                       "readproperty"));
  CAF_REQUIRE(res.has_value());
  CAF_CHECK_EQUAL(res->header.type, wire::message_type::reply);
  auto wrong = c.call("sim-2", operation(c.identity(), "sim-2", "thing-1-1", "count",
                                         "readproperty", "null",
                                         timeouts(std::nullopt, std::nullopt)));
  CAF_REQUIRE(wrong.has_value());
  CAF_CHECK_EQUAL(wrong->header.type, wire::message_type::invalid_message);
}

CAF_TEST_FIXTURE_SCOPE_END()
