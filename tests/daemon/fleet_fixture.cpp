#include "fleet_fixture.hpp"

#include <caf/test/unit_test.hpp>

namespace holobroker::test {

std::string sim_thing(const std::string& id, const std::string& address,
                      const std::string& extra) {
  return "  - id: " + id + "\n    server_id: thing-sim\n    address: \"" + address + "\"\n"
         + extra;
}

void fleet_fixture::start_sim(const std::vector<std::string>& sim_args) {
  sim = std::make_unique<sim_process>(sim_args);
  config_file = sim->ipc_dir() + "/holobroker.yaml";
}

std::string fleet_fixture::config(const std::string& things,
                                  const std::string& broker_extra) const {
  return "broker:\n  id: holobroker\n  temp_dir: " + sim->ipc_dir() + "\n  drain_grace: 2s\n"
         + broker_extra + "things:\n" + things;
}

void fleet_fixture::start_daemon(const std::string& things, const std::string& broker_extra) {
  write_file(config_file, config(things, broker_extra));
  daemon = std::make_unique<daemon_process>(config_file);
}

std::unique_ptr<raw_client> fleet_fixture::client(const std::string& identity,
                                                  const std::string& scheme) {
  auto c = std::make_unique<raw_client>(ctx, identity, daemon->frontend(scheme));
  CAF_REQUIRE(c->handshake("holobroker"));
  return c;
}

wire::request fleet_fixture::op(const raw_client& c, const std::string& thing,
                                const std::string& objekt, const std::string& operation,
                                const std::string& payload) {
  return test::operation(c.identity(), "holobroker", thing, objekt, operation, payload);
}

} // namespace holobroker::test
