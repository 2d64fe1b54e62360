#include "federation_site.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <thread>

namespace holobroker::test {

std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0
      || ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("free_port: no port");
  ::close(fd);
  return ntohs(addr.sin_port);
}

site::site(std::string broker, std::string server, std::vector<std::string> thing_ids)
  : broker_id(std::move(broker)), server_id(std::move(server)), things(std::move(thing_ids)),
    port(free_port()), federation_yaml("    plain: true\n"),
    dir(std::make_unique<temp_dir>("holobroker-federation")) {
  config_file = dir->string() + "/" + broker_id + ".yaml";
}

site::~site() {
  daemon.reset();
  if (const char* v = std::getenv("FEDERATION_TEST_LOGS"); v && *v == '1') {
    std::ifstream in{log_path()};
    std::cerr << "---- log of " << broker_id << " ----\n" << in.rdbuf() << "\n";
  }
}

void site::start_sim() {
  std::string yaml = "servers:\n  - id: " + server_id + "\n    things:\n";
  for (const auto* list : {&things, &sim_only})
    for (const auto& t : *list)
      yaml += "      - {id: " + t + ", template: spectrometer}\n";
  auto path = dir->string() + "/sim.yaml";
  write_file(path, yaml);
  sim = std::make_unique<sim_process>(std::vector<std::string>{"--config", path,
                                                               "--event-period", "0.2"});
}

void site::write_config() {
  std::string yaml = "broker:\n  id: " + broker_id + "\n  temp_dir: " + sim->ipc_dir()
                     + "\n  drain_grace: 1s\n  federation:\n    listen: 127.0.0.1:"
                     + std::to_string(port) + "\n    reconnect: {min: 50ms, max: 500ms}\n"
                     + "    ping_interval: 200ms\n    deadline_margin: 500ms\n"
                     + federation_yaml;
  if (!peers.empty()) {
    yaml += "  peers:\n";
    for (auto p : peers)
      yaml += "    - 127.0.0.1:" + std::to_string(p) + "\n";
  }
  yaml += extra_yaml;
  if (!defaults_yaml.empty())
    yaml += "defaults:\n" + defaults_yaml;
  yaml += things.empty() ? "things: []\n" : "things:\n";
  for (const auto& t : things)
    yaml += "  - {id: " + t + ", server_id: " + server_id + ", address: IPC}\n";
  write_file(config_file, yaml);
}

void site::start_broker() {
  write_config();
  daemon = std::make_unique<daemon_process>(config_file, std::vector<std::string>{},
                                            std::vector<std::string>{}, log_path());
}

std::unique_ptr<raw_client> client_of(zmq::context_t& ctx, site& s, const std::string& identity) {
  auto c = std::make_unique<raw_client>(ctx, identity, s.daemon->frontend("ipc"));
  if (!c->handshake(s.broker_id))
    throw std::runtime_error("no handshake with " + s.broker_id);
  return c;
}

std::optional<wire::response> call(raw_client& c, site& s, const std::string& thing,
                                   const std::string& objekt, const std::string& op,
                                   const std::string& payload, std::chrono::milliseconds timeout) {
  return c.call(s.broker_id, operation(c.identity(), s.broker_id, thing, objekt, op, payload),
                timeout);
}

nlohmann::json things_of(raw_client& c, site& s) {
  auto r = call(c, s, s.broker_id, "things", "invokeaction", "{}");
  if (!r || r->header.type != wire::message_type::reply)
    return nlohmann::json::array();
  return nlohmann::json::parse(r->payload.view(), nullptr, false);
}

nlohmann::json entry_of(const nlohmann::json& things, const std::string& thing) {
  if (things.is_array())
    for (const auto& t : things)
      if (t.value("id", "") == thing)
        return t;
  return nullptr;
}

bool wait_for_thing(raw_client& c, site& s, const std::string& thing,
                    const std::function<bool(const nlohmann::json&)>& pred,
                    std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (pred(entry_of(things_of(c, s), thing)))
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  return false;
}

} // namespace holobroker::test
