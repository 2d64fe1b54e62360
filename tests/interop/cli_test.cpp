// The holobroker CLI in --direct mode (no daemon) against the REAL hololinked
// 0.4 server, over IPC and TCP.
#define CAF_SUITE interop_cli
#include <caf/test/unit_test.hpp>

#include <csignal>

#include "interop_fixture.hpp"
#include "support/command_run.hpp"

using namespace holobroker::test;
using namespace holobroker::test::interop;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct cli_fixture {
  cli_fixture() {
    require_peer();
  }
  home_dir home;

  /// `holobroker --direct <where> --server-id lab [--temp-dir ..] args...`.
  command_result cli(const std::string& where, std::vector<std::string> args) {
    std::vector<std::string> all{"--direct", where, "--server-id", "lab"};
    if (where == "IPC") {
      all.push_back("--temp-dir");
      all.push_back(home.hololinked_dir());
    }
    all.insert(all.end(), args.begin(), args.end());
    auto r = run_command(holobroker_cli_binary(), all, home.path(), 60s);
    if (r.exit_code != 0)
      CAF_MESSAGE("holobroker " << args[0] << " exit " << r.exit_code << ": " << r.err);
    return r;
  }

  static json output(const command_result& r) {
    if (r.out.size() != 1)
      return json{{"lines", r.out.size()}};
    return json::parse(r.out[0], nullptr, false);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(interop_cli_tests, cli_fixture)

CAF_TEST(the CLI reads writes invokes and subscribes on a real server over IPC and TCP) {
  auto port = free_port_pair();
  real_server server{home, "lab", "thing-ipc,thing-tcp", port};
  for (auto [where, thing] : {std::pair<std::string, std::string>{"IPC", "thing-ipc"},
                              {server.address("tcp_server"), "thing-tcp"}}) {
    CAF_MESSAGE(where);
    CAF_CHECK_EQUAL(output(cli(where, {"read", thing, "int_prop"})), json(5));
    CAF_CHECK_EQUAL(cli(where, {"write", thing, "number_prop", "12.5"}).exit_code, 0);
    CAF_CHECK_EQUAL(output(cli(where, {"read", thing, "number_prop"})), json(12.5));
    json obj = {{"a", {1, "two", nullptr}}};
    CAF_CHECK_EQUAL(output(cli(where, {"invoke", thing, "action_echo",
                                       json{{"value", obj}}.dump()})),
                    obj);
    // Remote exceptions: exit code 5, type and message on stderr.
    auto raised = cli(where, {"invoke", thing, "set_non_remote_number_prop", R"({"value":-1})"});
    CAF_CHECK_EQUAL(raised.exit_code, 5);
    CAF_CHECK(raised.err.find("ValueError") != std::string::npos);
    CAF_CHECK(raised.err.find("Value must be non-negative") != std::string::npos);
    auto invalid = cli(where, {"write", thing, "int_prop", "1000"});
    CAF_CHECK_EQUAL(invalid.exit_code, 5);
    // bytes and (str, bytes) returns.
    CAF_CHECK_EQUAL(output(cli(where, {"invoke", thing, "get_serialized_data"})),
                    (json{{"payload", nullptr}, {"bytes_base64", "Zm9vYmFy"}}));
    CAF_CHECK_EQUAL(output(cli(where, {"invoke", thing, "get_mixed_content_data"})),
                    (json{{"payload", "foobar"}, {"bytes_base64", "Zm9vYmFy"}}));
    // Large values both ways; one command-line argument is limited to 128 KiB
    // (MAX_ARG_STRLEN), so 1 MiB is the client core's test.
    std::string large(120 * 1024, 'q');
    CAF_CHECK_EQUAL(cli(where, {"write", thing, "string_prop", "\"" + large + "\""}).exit_code, 0);
    CAF_CHECK(output(cli(where, {"read", thing, "string_prop"})) == json(large));
    // Events: the subscriber runs while the Thing pushes.
    std::vector<std::string> sub_args{"--direct", where, "--server-id", "lab"};
    if (where == "IPC") {
      sub_args.push_back("--temp-dir");
      sub_args.push_back(home.hololinked_dir());
    }
    for (auto a : {"subscribe", thing.c_str(), "test_event", "--count", "5"})
      sub_args.emplace_back(a);
    child_process sub{holobroker_cli_binary(), sub_args, home.env(), home.log("cli-subscribe")};
    // Slow joiner: push until the subscriber got its five and exits.
    bool exited = eventually(
      [&] {
        cli(where, {"invoke", thing, "push_events",
                    R"({"event_name":"test_event","total_number_of_events":2})"});
        return sub.wait_exit(300ms).has_value();
      },
      30s);
    CAF_REQUIRE(exited);
    CAF_CHECK_EQUAL(exit_code_of(*sub.wait_exit(0ms)), 0);
    while (sub.read_line(1s)) {
    }
    CAF_CHECK_EQUAL(sub.lines().size(), 5u);
    for (auto& line : sub.lines())
      CAF_CHECK_EQUAL(line, "\"test data\"");
    // Both server timeouts: exit code 4. sleep() blocks the Thing for 10 s,
    // so these come last for this Thing.
    auto slow = cli(where, {"--execution-timeout", "0.3", "invoke", thing, "sleep"});
    CAF_CHECK_EQUAL(slow.exit_code, 4);
    CAF_CHECK(slow.err.find("execution") != std::string::npos);
    auto queued = cli(where, {"--invokation-timeout", "0.3", "read", thing, "int_prop"});
    CAF_CHECK_EQUAL(queued.exit_code, 4);
    CAF_CHECK(queued.err.find("invokation") != std::string::npos);
  }
}

CAF_TEST(the CLI prints msgpack replies of a real server as JSON) {
  real_server server{home, "lab", "test-thing"};
  CAF_CHECK_EQUAL(cli("IPC", {"invoke", "test-thing", "set_non_remote_number_prop",
                              R"({"value":13})"})
                    .exit_code,
                  0);
  auto packed = cli("IPC", {"invoke", "test-thing", "get_non_remote_number_prop"});
  CAF_CHECK_EQUAL(packed.exit_code, 0);
  CAF_CHECK_EQUAL(output(packed), json(13));
  // hololinked packs a numpy array as a msgpack extension (type 1, .npy
  // bytes): the CLI prints it as one JSON document, not raw bytes.
  auto array = output(cli("IPC", {"read", "test-thing", "numpy_array_prop"}));
  CAF_CHECK(!array.is_discarded() && !array.contains("lines"));
  CAF_CHECK_EQUAL(array.value("subtype", -1), 1);
}

CAF_TEST_FIXTURE_SCOPE_END()
