#include "daemon_process.hpp"

#include <csignal>
#include <fstream>
#include <stdexcept>

namespace holobroker::test {

std::string holobrokerd_binary() {
  return HOLOBROKERD_BINARY;
}

void write_file(const std::string& path, const std::string& yaml) {
  std::ofstream out{path};
  out << yaml;
  if (!out)
    throw std::runtime_error("cannot write " + path);
}

daemon_process::daemon_process(const std::string& config_file,
                               const std::vector<std::string>& extra,
                               const std::vector<std::string>& env,
                               const std::string& stderr_log) {
  std::vector<std::string> args{"--config", config_file};
  args.insert(args.end(), extra.begin(), extra.end());
  proc_ = std::make_unique<child_process>(holobrokerd_binary(), args, env, stderr_log);
  if (!proc_->wait_for_line([](const std::string& l) { return l == "ready"; },
                            std::chrono::seconds{20}))
    throw std::runtime_error("holobrokerd did not print \"ready\"");
}

std::string daemon_process::find(const std::string& word, const std::string& scheme) const {
  auto prefix = word + " " + scheme + "://";
  for (const auto& line : proc_->lines())
    if (line.rfind(prefix, 0) == 0)
      return line.substr(word.size() + 1);
  throw std::runtime_error("holobrokerd printed no \"" + prefix + "\" line");
}

std::string daemon_process::frontend(const std::string& scheme) const {
  return find("frontend", scheme);
}

std::string daemon_process::events(const std::string& scheme) const {
  return find("events", scheme);
}

unsigned daemon_process::middleman_port() const {
  for (const auto& line : proc_->lines())
    if (line.rfind("middleman ", 0) == 0)
      return static_cast<unsigned>(std::stoul(line.substr(10)));
  return 0;
}

std::optional<int> daemon_process::terminate(std::chrono::milliseconds timeout) {
  proc_->signal(SIGTERM);
  auto status = proc_->wait_exit(timeout);
  if (!status)
    return std::nullopt;
  return exit_code_of(*status);
}

std::pair<int, std::string> run_holobrokerd(const std::vector<std::string>& args) {
  std::string cmd = "exec '" + holobrokerd_binary() + "'";
  for (const auto& a : args)
    cmd += " '" + a + "'";
  cmd += " 2>&1";
  child_process proc{"/bin/sh", {"-c", cmd}};
  std::string output;
  while (auto line = proc.read_line(std::chrono::seconds{20}))
    output += *line + "\n";
  auto status = proc.wait_exit(std::chrono::seconds{20});
  return {status ? exit_code_of(*status) : -1000, output};
}

} // namespace holobroker::test
