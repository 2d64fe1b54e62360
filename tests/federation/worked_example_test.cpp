// README "Federation"'s worked two-host example, as docker/compose.federation.yaml
// composes it, without containers: the certificates made by the compose
// file's own `certs` script, the brokers run with docker/federation/lab-a.yaml
// and lab-b.yaml, host B's thing-sim with docker/federation/sim-b.yaml, and the
// CLI commands the README shows, with their answers. Only what a host gives
// is changed: the certificate directory (/certs), the hosts and ports (each
// broker listens on a free loopback port; `lab-b:4300` names it) and the
// directory of the IPC sockets (each host has its own, as each container
// has its own volume).
#define CAF_SUITE federation_worked_example
#include <caf/test/dsl.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "daemon/daemon_process.hpp"
#include "federation/federation_site.hpp"
#include "support/command_run.hpp"
#include "support/temp_dir.hpp"
#include "thing_sim/sim_process.hpp"

using namespace holobroker;
using namespace holobroker::test;
using json = nlohmann::json;

namespace {

const std::string source_dir = HOLOBROKER_SOURCE_DIR;

std::string read_text(const std::string& path) {
  std::ifstream in{path};
  CAF_REQUIRE(in.good());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  CAF_REQUIRE(text.find(from) != std::string::npos); // the example must still say it
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

/// One host's broker configuration from docker/federation/NAME.yaml, with
/// this machine's certificate directory, ports and socket directory.
std::string host_config(const std::string& name, const std::string& certs,
                        std::uint16_t own_port, const std::string& peer,
                        std::uint16_t peer_port, const std::string& sockets) {
  auto yaml = read_text(source_dir + "/docker/federation/" + name + ".yaml");
  replace_all(yaml, "/certs/", certs + "/");
  replace_all(yaml, "0.0.0.0:4300", "127.0.0.1:" + std::to_string(own_port));
  replace_all(yaml, peer + ":4300", "127.0.0.1:" + std::to_string(peer_port));
  replace_all(yaml, "\nbroker:\n", "\nbroker:\n  temp_dir: " + sockets + "\n");
  return yaml;
}

} // namespace

CAF_TEST(the worked two host example answers as the README shows) {
  temp_dir dir{"holobroker-worked-example"};
  auto certs = dir.string() + "/certs";
  std::filesystem::create_directories(certs);
  // The compose file's `certs` service, run as compose would run it
  // (compose turns `$$` into `$`).
  auto compose = YAML::LoadFile(source_dir + "/docker/compose.federation.yaml");
  auto script = compose["services"]["certs"]["command"][0].as<std::string>();
  replace_all(script, "$$", "$");
  replace_all(script, "cd /certs", "cd '" + certs + "'");
  auto script_file = dir.string() + "/certs.sh";
  write_file(script_file, script);
  auto sh = "sh '" + script_file + "' >'" + dir.string() + "/certs.log' 2>&1";
  CAF_REQUIRE_EQUAL(std::system(sh.c_str()), 0);
  for (const char* f : {"ca.crt", "lab-a.crt", "lab-a.key", "lab-b.crt", "lab-b.key"})
    CAF_REQUIRE(std::filesystem::exists(certs + "/" + f));
  CAF_CHECK(!std::filesystem::exists(certs + "/ca.key")); // kept off the brokers

  // Host A: thing-sim's default fleet (spectrometer, motor), as compose's sim-a.
  sim_process sim_a{std::vector<std::string>{}};
  // Host B: the thermostat of sim-b.yaml.
  sim_process sim_b{{"--config", source_dir + "/docker/federation/sim-b.yaml"}};
  auto port_a = free_port();
  auto port_b = free_port();
  write_file(dir.string() + "/lab-a.yaml",
             host_config("lab-a", certs, port_a, "lab-b", port_b, sim_a.ipc_dir()));
  write_file(dir.string() + "/lab-b.yaml",
             host_config("lab-b", certs, port_b, "lab-a", port_a, sim_b.ipc_dir()));
  daemon_process lab_b{dir.string() + "/lab-b.yaml", {}, {}, dir.string() + "/lab-b.log"};
  daemon_process lab_a{dir.string() + "/lab-a.yaml", {}, {}, dir.string() + "/lab-a.log"};

  auto cli_a = [&](std::vector<std::string> args) {
    std::vector<std::string> all{"--broker-id", "lab-a", "--temp-dir", sim_a.ipc_dir(),
                                 "--timeout", "5"};
    all.insert(all.end(), args.begin(), args.end());
    return run_command(HOLOBROKER_CLI_BINARY, all, dir.string(), std::chrono::seconds{20});
  };
  // `a$ holobroker --broker-id lab-a things`: spectrometer and motor local,
  // thermostat from lab-b (once the TLS link is up).
  json things;
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto r = cli_a({"things"});
    CAF_REQUIRE_EQUAL(r.exit_code, 0);
    CAF_REQUIRE_EQUAL(r.out.size(), 1u);
    things = json::parse(r.out[0], nullptr, false);
    CAF_REQUIRE(!things.is_discarded());
    if (things.dump().find("\"thermostat\"") != std::string::npos)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  auto origin = [&](const std::string& thing) {
    auto e = entry_of(things, thing);
    return e.is_object() ? e.value("origin", std::string{"(none)"}) : std::string{"(absent)"};
  };
  CAF_CHECK_EQUAL(origin("spectrometer"), "local");
  CAF_CHECK_EQUAL(origin("motor"), "local");
  CAF_CHECK_EQUAL(origin("thermostat"), "lab-b");
  // `a$ holobroker --broker-id lab-a read thermostat setpoint` prints 21.0.
  auto read = cli_a({"read", "thermostat", "setpoint"});
  CAF_CHECK_EQUAL(read.exit_code, 0);
  CAF_REQUIRE_EQUAL(read.out.size(), 1u);
  CAF_CHECK_EQUAL(json::parse(read.out[0], nullptr, false), json(21.0));
  // And the other way round: lab-b offers lab-a's Things, once lab-b's own
  // link to lab-a is up (it connects on its own schedule: the wait above
  // was for lab-a's link only, so the first read may find no motor yet).
  auto read_b = run_command(HOLOBROKER_CLI_BINARY,
                            {"--broker-id", "lab-b", "--temp-dir", sim_b.ipc_dir(), "--timeout",
                             "5", "read", "motor", "position"},
                            dir.string(), std::chrono::seconds{20});
  for (int attempt = 0; attempt < 100 && read_b.exit_code != 0; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
    read_b = run_command(HOLOBROKER_CLI_BINARY,
                         {"--broker-id", "lab-b", "--temp-dir", sim_b.ipc_dir(), "--timeout", "5",
                          "read", "motor", "position"},
                         dir.string(), std::chrono::seconds{20});
  }
  CAF_CHECK_EQUAL(read_b.exit_code, 0);
}
