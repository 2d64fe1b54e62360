#define CAF_SUITE holobroker_cli
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "live_fixture.hpp"
#include "support/command_run.hpp"

using namespace holobroker;
using namespace std::chrono_literals;

namespace {

using cli_result = test::command_result;

/// Runs the holobroker CLI to completion (bounded), capturing stdout and stderr.
cli_result run_cli(const std::string& dir, std::vector<std::string> args) {
  return test::run_command(HOLOBROKER_CLI_BINARY, args, dir);
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out{path, std::ios::binary};
  out << text;
}

/// The whitespace-separated words of the table line that starts with `name`.
std::vector<std::string> row_of(const std::vector<std::string>& lines, const std::string& name) {
  for (const auto& line : lines) {
    std::istringstream in{line};
    std::vector<std::string> words;
    for (std::string w; in >> w;)
      words.push_back(w);
    if (!words.empty() && words[0] == name)
      return words;
  }
  return {};
}

bool contains(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

struct cli_fixture {
  test::temp_dir dir{"holobroker-cli"};
  std::unique_ptr<test::sim_process> sim;

  cli_fixture() { sim = std::make_unique<test::sim_process>(dir.string(),
                                                            std::vector<std::string>{
                                                              "--event-period", "0.05"}); }

  cli_result ipc(std::vector<std::string> args) {
    std::vector<std::string> all{"--direct", "IPC", "--temp-dir", dir.string(), "--server-id",
                                 "thing-sim"};
    all.insert(all.end(), args.begin(), args.end());
    return run_cli(dir.string(), all);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(cli_tests, cli_fixture)

CAF_TEST(read write and invoke print JSON results) {
  auto r = ipc({"read", "spectrometer", "integration_time"});
  CAF_CHECK_EQUAL(r.exit_code, 0);
  CAF_CHECK_EQUAL(r.out, (std::vector<std::string>{"10.0"}));
  CAF_CHECK_EQUAL(r.err, "");
  r = ipc({"write", "spectrometer", "settings", R"({"trigger_mode":"external","averages":4,"dark_correction":true})"});
  CAF_CHECK_EQUAL(r.exit_code, 0);
  CAF_CHECK_EQUAL(r.out, (std::vector<std::string>{"null"}));
  r = ipc({"read", "spectrometer", "settings"});
  CAF_REQUIRE_EQUAL(r.out.size(), 1u);
  CAF_MESSAGE("settings: " << r.out[0]);
  CAF_CHECK_EQUAL(nlohmann::json::parse(r.out[0]).value("averages", 0), 4);
  r = ipc({"invoke", "spectrometer", "echo", R"({"x":[1,2]})"});
  CAF_CHECK_EQUAL(r.exit_code, 0);
  CAF_CHECK_EQUAL(r.out, (std::vector<std::string>{R"({"x":[1,2]})"}));
  r = run_cli(dir.string(), {"--direct", sim->tcp_address, "--server-id", "thing-sim", "read",
                             "spectrometer", "serial_number"});
  CAF_CHECK_EQUAL(r.exit_code, 0);
  CAF_CHECK_EQUAL(r.out, (std::vector<std::string>{"\"SIM-SPEC-0001\""}));
  r = run_cli(dir.string(), {"--direct", sim->ipc_address, "--server-id", "thing-sim", "invoke",
                             "spectrometer", "raw_bytes"});
  CAF_CHECK_EQUAL(r.exit_code, 0);
  CAF_REQUIRE_EQUAL(r.out.size(), 1u);
  CAF_CHECK(contains(r.out[0], "\"bytes_base64\":\""));
}

CAF_TEST(errors go to stderr with distinct exit codes) {
  auto r = ipc({"invoke", "spectrometer", "fail"});
  CAF_CHECK_EQUAL(r.exit_code, 5);
  CAF_CHECK(r.out.empty());
  CAF_CHECK(contains(r.err, "ValueError"));
  CAF_CHECK(contains(r.err, "simulated failure"));
  r = ipc({"--timeout", "0.3", "invoke", "spectrometer", "sleep", R"({"seconds":2})"});
  CAF_CHECK_EQUAL(r.exit_code, 4);
  CAF_CHECK(contains(r.err, "timeout"));
  r = ipc({"--execution-timeout", "0.1", "invoke", "spectrometer", "sleep", R"({"seconds":1})"});
  CAF_CHECK_EQUAL(r.exit_code, 4);
  CAF_CHECK(contains(r.err, "execution timeout"));
  r = run_cli(dir.string(), {"--direct", sim->tcp_address, "--server-id", "other", "--timeout",
                             "0.3", "read", "spectrometer", "integration_time"});
  CAF_CHECK_EQUAL(r.exit_code, 3);
  CAF_CHECK(contains(r.err, "unable to contact server 'other'"));
  r = ipc({"write", "spectrometer", "integration_time", "{not json"});
  CAF_CHECK_EQUAL(r.exit_code, 2);
  CAF_CHECK(contains(r.err, "not valid JSON"));
  r = ipc({"invoke", "spectrometer", "echo", "[1]"});
  CAF_CHECK_EQUAL(r.exit_code, 2);
  CAF_CHECK(contains(r.err, "must be a JSON object"));
  r = ipc({"read", "no-such-thing", "x"});
  CAF_CHECK_EQUAL(r.exit_code, 5);
  CAF_CHECK(contains(r.err, "invalid_message"));
  r = run_cli(dir.string(), {"--direct", "udp://x", "--server-id", "thing-sim", "read", "a", "b"});
  CAF_CHECK_EQUAL(r.exit_code, 2);
  CAF_CHECK(contains(r.err, "invalid server address"));
}

CAF_TEST(subscribe prints one JSON document per event) {
  auto r = ipc({"subscribe", "spectrometer", "measurement", "--count", "3"});
  CAF_CHECK_EQUAL(r.exit_code, 0);
  CAF_REQUIRE_EQUAL(r.out.size(), 3u);
  for (auto& line : r.out) {
    auto doc = nlohmann::json::parse(line, nullptr, false);
    CAF_CHECK(!doc.is_discarded() && doc.contains("intensity"));
  }
  auto t = ipc({"--timeout", "0.3", "subscribe", "motor", "never", "--count", "1"});
  CAF_CHECK_EQUAL(t.exit_code, 4);
}

CAF_TEST(json arguments come from a file or standard input so that a 1 MiB write works) {
  // Beyond the kernel's limit for one argument (MAX_ARG_STRLEN, 128 KiB).
  std::string blob(1 << 20, 'x');
  nlohmann::json value{{"trigger_mode", "internal"}, {"averages", 2}, {"blob", blob}};
  auto file = dir.string() + "/settings.json";
  write_text(file, value.dump() + "\n");
  auto r = ipc({"write", "spectrometer", "settings", "@" + file});
  CAF_CHECK_EQUAL(r.err, "");
  CAF_CHECK_EQUAL(r.exit_code, 0);
  CAF_CHECK_EQUAL(r.out, (std::vector<std::string>{"null"}));
  r = ipc({"read", "spectrometer", "settings"});
  CAF_REQUIRE_EQUAL(r.out.size(), 1u);
  CAF_CHECK_EQUAL(nlohmann::json::parse(r.out[0]), value);
  // Standard input, as `-` and as `@-`.
  auto kwargs = dir.string() + "/kwargs.json";
  write_text(kwargs, "{\"x\":[1,2,3]}\n"); // the final newline is not sent
  for (const char* dash : {"-", "@-"}) {
    r = test::run_command(HOLOBROKER_CLI_BINARY,
                          {"--direct", "IPC", "--temp-dir", dir.string(), "--server-id",
                           "thing-sim", "invoke", "spectrometer", "echo", dash},
                          dir.string(), std::chrono::seconds{20}, kwargs);
    CAF_CHECK_EQUAL(r.exit_code, 0);
    CAF_CHECK_EQUAL(r.out, (std::vector<std::string>{R"({"x":[1,2,3]})"}));
  }
  // A file that cannot be read is a usage error naming it; nothing is sent.
  r = ipc({"write", "spectrometer", "settings", "@" + dir.string() + "/missing.json"});
  CAF_CHECK_EQUAL(r.exit_code, 2);
  CAF_CHECK(contains(r.err, "missing.json"));
  CAF_CHECK(contains(r.err, "No such file"));
  // A file's content is checked like an argument.
  write_text(file, "{broken");
  r = ipc({"write", "spectrometer", "settings", "@" + file});
  CAF_CHECK_EQUAL(r.exit_code, 2);
  CAF_CHECK(contains(r.err, "not valid JSON"));
}

CAF_TEST(describe prints a Things properties actions and events as tables and as JSON) {
  auto r = ipc({"describe", "spectrometer"});
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
  CAF_CHECK(std::find(r.out.begin(), r.out.end(), "properties (6)") != r.out.end());
  CAF_CHECK(std::find(r.out.begin(), r.out.end(), "events (1)") != r.out.end());
  auto it = row_of(r.out, "integration_time");
  CAF_REQUIRE_GREATER_OR_EQUAL(it.size(), 4u);
  CAF_CHECK_EQUAL(it[1], "number");
  CAF_CHECK_EQUAL(it[2], "no");  // read-only
  CAF_CHECK_EQUAL(it[3], "yes"); // observable
  auto serial = row_of(r.out, "serial_number");
  CAF_REQUIRE_GREATER_OR_EQUAL(serial.size(), 4u);
  CAF_CHECK_EQUAL(serial[1], "string");
  CAF_CHECK_EQUAL(serial[2], "yes");
  CAF_CHECK_EQUAL(serial[3], "no");
  CAF_CHECK(!row_of(r.out, "acquire").empty());
  CAF_CHECK(!row_of(r.out, "measurement").empty());
  r = ipc({"describe", "spectrometer", "--json"});
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
  CAF_REQUIRE_EQUAL(r.out.size(), 1u);
  auto doc = nlohmann::json::parse(r.out[0]);
  CAF_CHECK_EQUAL(doc["id"], "spectrometer");
  std::map<std::string, nlohmann::json> props;
  for (const auto& p : doc["properties"])
    props[p["name"].get<std::string>()] = p;
  CAF_CHECK_EQUAL(props.at("integration_time")["type"], "number");
  CAF_CHECK_EQUAL(props.at("integration_time")["observable"], true);
  CAF_CHECK_EQUAL(props.at("wavelengths")["read_only"], true);
  std::set<std::string> actions, events;
  for (const auto& a : doc["actions"])
    actions.insert(a["name"].get<std::string>());
  for (const auto& e : doc["events"])
    events.insert(e["name"].get<std::string>());
  CAF_CHECK(actions.count("echo") == 1 && actions.count("fail") == 1);
  CAF_CHECK(events == std::set<std::string>{"measurement"});
  r = ipc({"describe", "no-such-thing"});
  CAF_CHECK_NOT_EQUAL(r.exit_code, 0);
  CAF_CHECK(r.out.empty());
}

CAF_TEST_FIXTURE_SCOPE_END()
