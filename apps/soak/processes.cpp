#include "processes.hpp"

#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace holobroker::soak {

namespace {

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out{path};
  out << text;
  if (!out)
    throw std::runtime_error("cannot write " + path);
}

bool ready_line(const std::string& line) {
  return line == "ready";
}

} // namespace

std::string things_yaml(std::size_t servers, std::optional<std::size_t> skip_motor) {
  std::string out;
  for (std::size_t i = 0; i < servers; ++i) {
    auto n = std::to_string(i);
    out += "  - {id: spec-" + n + ", server_id: sim-" + n + ", address: IPC}\n";
    if (skip_motor != i)
      out += "  - {id: motor-" + n + ", server_id: sim-" + n + ", address: IPC}\n";
  }
  return out;
}

sim_server::sim_server(const paths& p, std::size_t index)
  : paths_(p), index_(index),
    config_(p.dir + "/sim-" + std::to_string(index) + ".yaml") {
  auto n = std::to_string(index);
  write_file(config_, "temp_dir: " + p.dir + "\nlog_level: warn\nservers:\n  - id: sim-" + n
                        + "\n    things:\n      - {id: spec-" + n
                        + ", template: spectrometer}\n      - {id: motor-" + n
                        + ", template: motor}\n");
}

void sim_server::start() {
  proc_ = std::make_unique<test::child_process>(
    paths_.thing_sim, std::vector<std::string>{"--config", config_, "--event-period", "0.5"},
    std::vector<std::string>{}, paths_.dir + "/" + server_id() + ".log");
  paused_ = false;
  if (!proc_->wait_for_line(ready_line, std::chrono::seconds{20}))
    throw std::runtime_error("thing-sim " + server_id() + " did not print \"ready\" (see "
                             + paths_.dir + "/" + server_id() + ".log)");
}

void sim_server::stop(int signal) {
  if (!proc_)
    return;
  if (paused_)
    proc_->signal(SIGCONT);
  proc_->signal(signal);
  if (!proc_->wait_exit(std::chrono::seconds{10}))
    proc_->signal(SIGKILL);
  proc_.reset(); // reaps
  paused_ = false;
}

void sim_server::pause() {
  if (proc_ && !paused_) {
    proc_->freeze(); // stopped, not just signalled (a dead one shows as crashed)
    paused_ = true;
  }
}

void sim_server::resume() {
  if (proc_ && paused_) {
    proc_->thaw();
    paused_ = false;
  }
}

bool sim_server::crashed() {
  return proc_ && proc_->exited();
}

broker_daemon::broker_daemon(const paths& p, const std::string& things)
  : paths_(p), config_(p.dir + "/holobroker.yaml") {
  write_config(things);
  proc_ = std::make_unique<test::child_process>(
    p.holobrokerd, std::vector<std::string>{"--config", config_}, std::vector<std::string>{},
    p.dir + "/holobrokerd.log");
  if (!proc_->wait_for_line(ready_line, std::chrono::seconds{30}))
    throw std::runtime_error("holobrokerd did not print \"ready\" (see " + p.dir
                             + "/holobrokerd.log)");
  for (const auto& line : proc_->lines())
    if (line.rfind("frontend ipc://", 0) == 0)
      frontend_ = line.substr(9);
  if (frontend_.empty())
    throw std::runtime_error("holobrokerd printed no \"frontend ipc://\" line");
}

void broker_daemon::write_config(const std::string& things) const {
  // Short server timeouts so that a stopped server's requests end (TIMEOUT)
  // well within the soak's answer deadline.
  write_file(config_, "broker:\n  id: holobroker\n  temp_dir: " + paths_.dir
                        + "\n  drain_grace: 2s\n  logging: {level: warn}\n"
                          "defaults:\n  invokation_timeout: 2s\n  execution_timeout: 2s\n"
                          "  handshake_timeout: 5s\nthings:\n"
                        + things);
}

void broker_daemon::reload(const std::string& things) {
  write_config(things);
  proc_->signal(SIGHUP);
}

std::optional<int> broker_daemon::terminate() {
  proc_->signal(SIGTERM);
  auto status = proc_->wait_exit(std::chrono::seconds{20});
  if (!status)
    return std::nullopt;
  return test::exit_code_of(*status);
}

long broker_daemon::rss_kib() const {
  std::ifstream in{"/proc/" + std::to_string(proc_->pid()) + "/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) {
      std::istringstream fields{line.substr(6)};
      long kib = 0;
      fields >> kib;
      return kib;
    }
  return 0;
}

} // namespace holobroker::soak
