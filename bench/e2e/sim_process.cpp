#include "sim_process.hpp"

#include <sstream>
#include <stdexcept>

namespace holobroker::bench {

sim_process::sim_process(const sim_options& opts) {
  std::vector<std::string> args{"--temp-dir",    opts.work_dir,
                                "--log-level",   "warn",
                                "--event-period", "0",
                                "--servers",     std::to_string(opts.servers),
                                "--things",      std::to_string(opts.things),
                                "--first-server", std::to_string(opts.first_server)};
  if (opts.tcp) {
    args.push_back("--tcp");
    args.push_back("127.0.0.1:0");
  }
  auto log = opts.work_dir + "/thing-sim.log";
  child_ = std::make_unique<child_process>(opts.program, args, std::vector<std::string>{}, log);
  auto ready = child_->wait_for_line([](const std::string& l) { return l == "ready"; },
                                     std::chrono::seconds{60});
  if (!ready)
    throw std::runtime_error("thing-sim did not get ready within 60 s (see " + log + ")");
  // "server <id> <request address> events <event address>"
  for (const auto& line : child_->lines()) {
    std::istringstream in{line};
    std::string word, id, addr;
    if (!(in >> word >> id >> addr) || word != "server")
      continue;
    auto& entry = servers_[id];
    (addr.rfind("tcp://", 0) == 0 ? entry.tcp : entry.ipc) = addr;
  }
  if (servers_.empty())
    throw std::runtime_error("thing-sim announced no server (see " + log + ")");
}

const std::string& sim_process::address(const std::string& server_id,
                                        const std::string& transport) const {
  auto i = servers_.find(server_id);
  if (i == servers_.end())
    throw std::runtime_error("thing-sim has no server '" + server_id + "'");
  const auto& addr = transport == "tcp" ? i->second.tcp : i->second.ipc;
  if (addr.empty())
    throw std::runtime_error("thing-sim server '" + server_id + "' does not listen on "
                             + transport);
  return addr;
}

} // namespace holobroker::bench
