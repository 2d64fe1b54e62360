// Every fault-injection mode, set by flag and at run time through the hidden
// action _sim_fault, against the real thing-sim binary.

#define CAF_SUITE thing_sim.faults
#include <caf/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "sim_process.hpp"
#include "sim_test_helpers.hpp"

using namespace holobroker;
using namespace holobroker::test;
using namespace std::chrono_literals;

namespace {

constexpr auto server = "thing-sim";

struct fixture : sim_client_fixture {
  void fault(raw_client& c, const std::string& thing, const std::string& kwargs) {
    auto res = call(c, thing, "_sim_fault", "invokeaction", kwargs);
    CAF_REQUIRE(res.has_value());
    CAF_REQUIRE_EQUAL(res->header.type, wire::message_type::reply);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(faults, fixture)

CAF_TEST(latency from a flag delays replies past an execution timeout) {
  sim_process sim{{"--event-period", "0", "--fault", "spectrometer:latency,fixed_ms=400"}};
  raw_client c{ctx, "latency", sim.address(server, "ipc").request};
  CAF_REQUIRE(c.handshake(server));
  wire::server_execution_context ctx_short;
  ctx_short.execution_timeout = 0.05;
  auto slow = c.call(server, operation(c.identity(), server, "spectrometer", "count",
                                       "readproperty", "null", ctx_short));
  CAF_REQUIRE(slow.has_value());
  CAF_CHECK_EQUAL(slow->header.type, wire::message_type::timeout);
  CAF_CHECK_EQUAL(slow->payload.view(), "\"execution\"");
  // The other Thing is not affected; clearing the fault restores the Thing.
  auto motor = c.call(server, operation(c.identity(), server, "motor", "position",
                                        "readproperty", "null", ctx_short));
  CAF_CHECK_EQUAL(motor->header.type, wire::message_type::reply);
  fault(c, "spectrometer", R"({"mode":"none"})");
  auto fast = c.call(server, operation(c.identity(), server, "spectrometer", "count",
                                       "readproperty", "null", ctx_short));
  CAF_CHECK_EQUAL(fast->header.type, wire::message_type::reply);
}

CAF_TEST(faults from the YAML configuration are active from start) {
  temp_dir dir;
  auto file = dir.path() / "faulty.yaml";
  std::ofstream{file} << "servers:\n"
                         "  - id: thing-sim\n"
                         "    things:\n"
                         "      - {id: quiet, template: motor, faults: [{mode: silent}]}\n"
                         "      - {id: chatty, template: motor}\n";
  sim_process sim{{"--config", file.string(), "--event-period", "0"}};
  raw_client c{ctx, "yaml-faults", sim.address(server, "ipc").request};
  CAF_REQUIRE(c.handshake(server));
  CAF_CHECK(!call(c, "quiet", "position", "readproperty", "null", wire::default_operation_context(), 300ms));
  CAF_CHECK(call(c, "chatty", "position", "readproperty").has_value());
}

CAF_TEST(drop swallows replies until cleared) {
  sim_process sim{{"--event-period", "0"}};
  raw_client c{ctx, "drop", sim.address(server, "ipc").request};
  CAF_REQUIRE(c.handshake(server));
  fault(c, "spectrometer", R"({"mode":"drop","fraction":1.0})");
  CAF_CHECK(!call(c, "spectrometer", "count", "readproperty", "null", wire::default_operation_context(), 300ms));
  CAF_CHECK(call(c, "motor", "position", "readproperty").has_value());
  fault(c, "spectrometer", R"({"mode":"none"})");
  CAF_CHECK(call(c, "spectrometer", "count", "readproperty").has_value());
}

CAF_TEST(garbage replies are not hololinked messages) {
  sim_process sim{{"--event-period", "0"}};
  raw_client c{ctx, "garbage", sim.address(server, "ipc").request};
  CAF_REQUIRE(c.handshake(server));
  fault(c, "spectrometer", R"({"mode":"garbage"})");
  c.send(wire::craft_request(server, operation(c.identity(), server, "spectrometer", "count",
                                               "readproperty")));
  auto msg = c.recv(5s);
  CAF_REQUIRE(msg.has_value());
  CAF_CHECK(!wire::parse_response(*msg).has_value());
  fault(c, "spectrometer", R"({"mode":"none"})");
  CAF_CHECK(call(c, "spectrometer", "count", "readproperty").has_value());
}

CAF_TEST(silent from a flag answers nothing for that Thing but handshakes) {
  sim_process sim{{"--event-period", "0", "--fault", "motor:silent"}};
  raw_client c{ctx, "silent", sim.address(server, "ipc").request};
  CAF_REQUIRE(c.handshake(server));
  CAF_CHECK(!call(c, "motor", "position", "readproperty", "null", wire::default_operation_context(), 300ms));
  CAF_CHECK(call(c, "spectrometer", "count", "readproperty").has_value());
  fault(c, "motor", R"({"mode":"none"})"); // _sim_fault itself is always answered
  CAF_CHECK(call(c, "motor", "position", "readproperty").has_value());
}

CAF_TEST(restart closes and rebinds the sockets and resets the state) {
  sim_process sim{{"--event-period", "0"}};
  raw_client c{ctx, "restart", sim.address(server, "ipc").request};
  CAF_REQUIRE(c.handshake(server));
  CAF_REQUIRE(call(c, "spectrometer", "count", "writeproperty", "41").has_value());
  fault(c, "spectrometer", R"({"mode":"restart","down_ms":300})");
  // libzmq reconnects by itself; a handshake proves the server is back.
  CAF_REQUIRE(c.handshake(server, 10s));
  auto count = call(c, "spectrometer", "count", "readproperty");
  CAF_REQUIRE(count.has_value());
  CAF_CHECK_EQUAL(count->payload.view(), "0");
  CAF_CHECK(std::filesystem::exists(sim.ipc_dir() + "/sockets/thing-sim.ipc"));
}

CAF_TEST(exit ends the process with the requested code) {
  sim_process sim{{"--event-period", "0"}};
  raw_client c{ctx, "exit", sim.address(server, "ipc").request};
  CAF_REQUIRE(c.handshake(server));
  fault(c, "motor", R"({"mode":"exit","code":7})");
  auto status = sim.process().wait_exit(10s);
  CAF_REQUIRE(status.has_value());
  CAF_CHECK_EQUAL(exit_code_of(*status), 7);
}

CAF_TEST(an invalid fault is an exception naming the problem) {
  sim_process sim{{"--event-period", "0"}};
  raw_client c{ctx, "badfault", sim.address(server, "ipc").request};
  CAF_REQUIRE(c.handshake(server));
  auto res = call(c, "motor", "_sim_fault", "invokeaction", R"({"mode":"explode"})");
  CAF_REQUIRE(res.has_value());
  CAF_CHECK_EQUAL(res->header.type, wire::message_type::exception);
  CAF_CHECK_EQUAL(exception_type(*res), "ValueError");
  auto msg = payload_json(*res)["exception"]["message"].get<std::string>();
  CAF_CHECK(msg.find("explode") != std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
