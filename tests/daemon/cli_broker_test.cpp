// The holobroker CLI against the daemon: broker mode is the default, and the
// broker's own actions answer `things` and `status`.
#define CAF_SUITE daemon_cli
#include <caf/test/unit_test.hpp>

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "fleet_fixture.hpp"
#include "support/command_run.hpp"

using namespace holobroker;
using namespace holobroker::test;
using nlohmann::json;

namespace {

struct cli_fleet_fixture : fleet_fixture {
  temp_dir scratch{"holobroker-cli-broker"};

  cli_fleet_fixture() {
    start_sim();
    start_daemon(sim_thing("spectrometer") + sim_thing("motor"));
  }

  /// The CLI aimed at this test's daemon (its IPC front end, broker id holobroker).
  command_result cli(std::vector<std::string> args) {
    std::vector<std::string> all{"--broker", daemon->frontend("ipc"), "--broker-id", "holobroker"};
    all.insert(all.end(), args.begin(), args.end());
    return run_command(HOLOBROKER_CLI_BINARY, all, scratch.string());
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(daemon_cli_tests, cli_fleet_fixture)

CAF_TEST(reads and invokes go through the broker) {
  auto r = cli({"read", "spectrometer", "integration_time"});
  CAF_CHECK_EQUAL(r.exit_code, 0);
  CAF_REQUIRE_EQUAL(r.out.size(), 1u);
  CAF_CHECK_EQUAL(json::parse(r.out[0]), json(10.0));
  r = cli({"invoke", "motor", "move_to", R"({"position": 3.5})"});
  CAF_CHECK_EQUAL(r.exit_code, 0);
  // The request passed through the broker: its counters saw it.
  auto status = cli({"status"});
  CAF_REQUIRE_EQUAL(status.exit_code, 0);
  auto doc = json::parse(status.out.at(0));
  std::map<std::string, json> by_id;
  for (const auto& t : doc.at("things"))
    by_id[t.at("id").get<std::string>()] = t;
  CAF_CHECK_EQUAL(by_id.at("spectrometer").at("replies").get<int>(), 1);
  CAF_CHECK_EQUAL(by_id.at("motor").at("replies").get<int>(), 1);
}

CAF_TEST(things lists the configured Things with their connection state) {
  auto r = cli({"things"});
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
  auto doc = json::parse(r.out.at(0));
  CAF_REQUIRE(doc.is_array());
  CAF_REQUIRE_EQUAL(doc.size(), 2u);
  CAF_CHECK_EQUAL(doc[0].at("id"), "motor");
  CAF_CHECK_EQUAL(doc[1].at("id"), "spectrometer");
  CAF_CHECK_EQUAL(doc[1].at("server_id"), "thing-sim");
}

CAF_TEST(broker errors keep their exit codes) {
  auto r = cli({"read", "no-such-thing", "x"});
  CAF_CHECK_EQUAL(r.exit_code, 5); // INVALID_MESSAGE: the server rejected the request
  CAF_CHECK(r.err.find("no-such-thing") != std::string::npos);
  auto wrong_broker = run_command(HOLOBROKER_CLI_BINARY,
                                  {"--broker", daemon->frontend("ipc"), "--broker-id", "other",
                                   "--timeout", "0.5", "things"},
                                  scratch.string());
  CAF_CHECK_EQUAL(wrong_broker.exit_code, 3); // unreachable: no peer with that id
}

CAF_TEST(things and status need the broker) {
  auto r = run_command(HOLOBROKER_CLI_BINARY,
                       {"--direct", "IPC", "--server-id", "thing-sim", "things"},
                       scratch.string());
  CAF_CHECK_EQUAL(r.exit_code, 2);
  CAF_CHECK(r.err.find("--direct") != std::string::npos);
}

CAF_TEST(pretty prints indented JSON that parses to the same document) {
  auto compact = cli({"things"});
  auto pretty = cli({"--pretty", "things"});
  CAF_REQUIRE_EQUAL(pretty.exit_code, 0);
  CAF_CHECK_GREATER(pretty.out.size(), 10u); // one member per line
  CAF_CHECK_EQUAL(pretty.out.at(0), "[");
  std::string text;
  for (const auto& line : pretty.out)
    text += line + "\n";
  CAF_CHECK_EQUAL(json::parse(text), json::parse(compact.out.at(0)));
}

CAF_TEST(watch refreshes a table of the fleet like top) {
  auto r = cli({"watch", "--count", "2", "--interval", "0.1"});
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
  std::size_t headers = 0, spectrometer_rows = 0, motor_rows = 0;
  for (const auto& line : r.out) {
    headers += line.find("THING") != std::string::npos ? 1 : 0;
    if (line.rfind("  spectrometer ", 0) == 0) {
      ++spectrometer_rows;
      CAF_CHECK(line.find(" connected ") != std::string::npos);
    }
    motor_rows += line.rfind("  motor ", 0) == 0 ? 1 : 0;
  }
  CAF_CHECK_EQUAL(headers, 2u); // two frames
  CAF_CHECK_EQUAL(spectrometer_rows, 2u);
  CAF_CHECK_EQUAL(motor_rows, 2u);
  // Not a terminal: no escape sequences, as `top -b`.
  for (const auto& line : r.out)
    CAF_CHECK(line.find('\x1b') == std::string::npos);
  auto direct = run_command(HOLOBROKER_CLI_BINARY,
                            {"--direct", "IPC", "--server-id", "thing-sim", "watch"},
                            scratch.string());
  CAF_CHECK_EQUAL(direct.exit_code, 2);
}

CAF_TEST(describe and a 1 MiB write from a file go through the broker) {
  auto d = cli({"describe", "motor", "--json"});
  CAF_REQUIRE_EQUAL(d.exit_code, 0);
  auto doc = json::parse(d.out.at(0));
  std::set<std::string> props;
  for (const auto& p : doc.at("properties"))
    props.insert(p.at("name").get<std::string>());
  CAF_CHECK(props == (std::set<std::string>{"moving", "position"}));
  std::string blob(1 << 20, 'y');
  json value{{"trigger_mode", "external"}, {"blob", blob}};
  auto file = scratch.string() + "/big.json";
  std::ofstream{file} << value.dump();
  auto w = cli({"write", "spectrometer", "settings", "@" + file});
  CAF_CHECK_EQUAL(w.err, "");
  CAF_CHECK_EQUAL(w.exit_code, 0);
  auto r = cli({"read", "spectrometer", "settings"});
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
  CAF_CHECK_EQUAL(json::parse(r.out.at(0)), value);
}

CAF_TEST_FIXTURE_SCOPE_END()
