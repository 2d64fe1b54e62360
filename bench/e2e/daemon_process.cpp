#include "daemon_process.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace holobroker::bench {

std::string daemon_config_yaml(const daemon_options& opts) {
  std::string out = fmt::format("broker:\n"
                                "  id: {}\n"
                                "  temp_dir: {}\n"
                                "  frontend:\n"
                                "    ipc: true\n",
                                opts.broker_id, opts.work_dir);
  if (opts.tcp)
    out += "    tcp: tcp://127.0.0.1:0\n";
  out += "  events:\n    ipc: true\n";
  if (opts.tcp)
    out += "    tcp: tcp://127.0.0.1:0\n";
  out += "  drain_grace: 1s\n"
         "  logging:\n"
         "    level: warn\n"
         "things:\n";
  for (const auto& t : opts.things)
    out += fmt::format("  - id: {}\n    server_id: {}\n    address: {}\n", t.thing_id,
                       t.server_id, t.address);
  return out;
}

daemon_process::daemon_process(const daemon_options& opts) : id_(opts.broker_id) {
  auto config = opts.work_dir + "/holobrokerd.yaml";
  {
    std::ofstream out{config};
    out << daemon_config_yaml(opts);
    if (!out)
      throw std::runtime_error("cannot write " + config);
  }
  auto log = opts.work_dir + "/holobrokerd.log";
  started_ = std::chrono::steady_clock::now();
  child_ = std::make_unique<child_process>(opts.program,
                                           std::vector<std::string>{"--config", config},
                                           std::vector<std::string>{}, log);
  auto ready = child_->wait_for_line([](const std::string& l) { return l == "ready"; },
                                     std::chrono::seconds{60});
  if (!ready)
    throw std::runtime_error("holobrokerd did not get ready within 60 s (see " + log + ")");
  for (const auto& line : child_->lines()) {
    std::istringstream in{line};
    std::string word, addr;
    if (!(in >> word >> addr) || word != "frontend")
      continue;
    (addr.rfind("tcp://", 0) == 0 ? tcp_ : ipc_) = addr;
  }
}

daemon_process::~daemon_process() = default;

const std::string& daemon_process::frontend(const std::string& transport) const {
  const auto& addr = transport == "tcp" ? tcp_ : ipc_;
  if (addr.empty())
    throw std::runtime_error("holobrokerd announced no " + transport + " front end");
  return addr;
}

} // namespace holobroker::bench
