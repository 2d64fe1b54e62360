#include "daemon_process.hpp"

#include <filesystem>
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
         "    level: warn\n";
  out += opts.broker_yaml;
  out += opts.top_yaml;
  out += opts.things.empty() ? "things: []\n" : "things:\n";
  for (const auto& t : opts.things)
    out += fmt::format("  - id: {}\n    server_id: {}\n    address: {}\n", t.thing_id,
                       t.server_id, t.address);
  return out;
}

void daemon_process::rewrite_config(const daemon_options& opts) const {
  auto tmp = config_ + ".new";
  {
    std::ofstream out{tmp};
    out << daemon_config_yaml(opts);
    if (!out)
      throw std::runtime_error("cannot write " + tmp);
  }
  // Renamed into place: a reload never reads a half-written file.
  std::filesystem::rename(tmp, config_);
}

daemon_process::daemon_process(const daemon_options& opts)
  : id_(opts.broker_id), config_(opts.work_dir + "/holobrokerd.yaml") {
  const auto& config = config_;
  rewrite_config(opts);
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
    if (!(in >> word >> addr))
      continue;
    if (word == "curve")
      curve_ = addr;
    else if (word == "frontend")
      (addr.rfind("tcp://", 0) == 0 ? tcp_ : ipc_) = addr;
  }
}

daemon_process::~daemon_process() = default;

const std::string& daemon_process::frontend(const std::string& transport) const {
  const auto& addr = transport == "curve" ? curve_ : transport == "tcp" ? tcp_ : ipc_;
  if (addr.empty())
    throw std::runtime_error("holobrokerd announced no " + transport + " front end");
  return addr;
}

} // namespace holobroker::bench
