#include "sim_process.hpp"

#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace holobroker::test {

std::string thing_sim_binary() {
  return THING_SIM_BINARY;
}

sim_process::sim_process(const std::vector<std::string>& args)
  : dir_("thing-sim-test"), dir_string_(dir_.string()) {
  std::vector<std::string> all{"--temp-dir", dir_string_};
  all.insert(all.end(), args.begin(), args.end());
  // THING_SIM_TEST_LOG=debug shows what thing-sim does while a test runs.
  if (const char* level = std::getenv("THING_SIM_TEST_LOG"); level && *level) {
    all.push_back("--log-level");
    all.push_back(level);
  }
  proc_ = std::make_unique<child_process>(thing_sim_binary(), all);
  auto ready = proc_->wait_for_line([](const std::string& l) { return l == "ready"; },
                                    std::chrono::seconds{20});
  if (!ready)
    throw std::runtime_error("thing-sim did not print \"ready\"");
  for (const auto& line : proc_->lines()) {
    if (line.rfind("server ", 0) != 0)
      continue;
    server_lines_.push_back(line);
    std::istringstream in{line};
    std::string word, id, req, events_word, evt;
    in >> word >> id >> req >> events_word >> evt;
    auto transport = req.substr(0, req.find(':'));
    addresses_[{id, transport}] = listen_address{req, evt};
  }
}

const listen_address& sim_process::address(const std::string& server_id,
                                           const std::string& transport) const {
  auto it = addresses_.find({server_id, transport});
  if (it == addresses_.end())
    throw std::runtime_error("thing-sim printed no " + transport + " address for " + server_id);
  return it->second;
}

} // namespace holobroker::test
