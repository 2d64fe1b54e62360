#include "interop_fixture.hpp"

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <caf/test/unit_test.hpp>

namespace holobroker::test::interop {

namespace {

std::string from_env_or(const char* name, const char* fallback) {
  if (const char* v = std::getenv(name); v != nullptr && *v != '\0')
    return v;
  return fallback;
}

bool executable(const std::string& path) {
  return !path.empty() && ::access(path.c_str(), X_OK) == 0;
}

/// Binds 127.0.0.1:port (0 = any); returns the fd and the bound port, fd -1 on failure.
std::pair<int, unsigned> bind_loopback(unsigned port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return {-1, 0};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0
      || ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return {-1, 0};
  }
  return {fd, ntohs(addr.sin_port)};
}

} // namespace

const std::string& python() {
  static const std::string path = from_env_or("HOLOBROKER_INTEROP_PYTHON",
                                              HOLOBROKER_INTEROP_PYTHON);
  return path;
}

const std::string& peer_dir() {
  static const std::string path = from_env_or("HOLOBROKER_HOLOLINKED_PEER", HOLOLINKED_PEER_DIR);
  return path;
}

void require_peer() {
  std::string missing;
  if (!executable(python()))
    missing = "the hololinked venv's python '" + python() + "' does not exist";
  else if (::access((peer_dir() + "/serve.py").c_str(), R_OK) != 0)
    missing = "the real peer '" + peer_dir() + "/serve.py' does not exist";
  if (missing.empty())
    return;
  auto how = missing
             + "; install it with `" + peer_dir()
             + "/install.sh <build dir>/hololinked-venv` (scripts/test.sh does) or set "
               "HOLOBROKER_INTEROP_PYTHON";
  if (from_env_or("CI", "") == "true")
    CAF_FAIL("interop tests need the real hololinked peer: " << how);
  std::cerr << "SKIPPED interop tests: " << how << " (CI=true makes this a failure)\n";
  std::exit(77);
}

unsigned free_port_pair() {
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto [fd, port] = bind_loopback(0);
    if (fd < 0)
      continue;
    if (port >= 65535) {
      ::close(fd);
      continue;
    }
    auto [fd2, port2] = bind_loopback(port + 1);
    ::close(fd);
    if (fd2 >= 0) {
      ::close(fd2);
      return port;
    }
  }
  throw std::runtime_error("no free pair of TCP ports on 127.0.0.1");
}

// -- real_server ---------------------------------------------------------------

real_server::real_server(const home_dir& home, std::string server_id, std::string things,
                         unsigned tcp_port, bool msgpack)
  : server_id_(std::move(server_id)) {
  std::vector<std::string> args{peer_dir() + "/serve.py", "--server-id", server_id_, "--things",
                                things,
                                // A safety net should the test die without reaping it.
                                "--seconds", "600"};
  if (tcp_port != 0) {
    args.push_back("--tcp");
    args.push_back("tcp://127.0.0.1:" + std::to_string(tcp_port));
  }
  if (msgpack)
    args.push_back("--msgpack");
  proc_ = std::make_unique<child_process>(python(), args, home.env(),
                                          home.log("serve-" + server_id_));
  // Importing hololinked takes ~2 s of CPU; on a loaded 2-core CI runner much longer.
  auto ready = proc_->wait_for_line([](const std::string& l) { return l.rfind("READY", 0) == 0; },
                                    std::chrono::seconds{90});
  if (!ready)
    throw std::runtime_error("serve.py did not print READY within 90 s (see "
                             + home.log("serve-" + server_id_) + ")");
  std::istringstream in{ready->substr(5)};
  std::string kv;
  while (in >> kv)
    if (auto eq = kv.find('='); eq != std::string::npos)
      addresses_[kv.substr(0, eq)] = kv.substr(eq + 1);
}

real_server::~real_server() {
  stop();
}

const std::string& real_server::address(const std::string& name) const {
  auto i = addresses_.find(name);
  if (i == addresses_.end())
    throw std::runtime_error("serve.py reported no " + name);
  return i->second;
}

void real_server::kill() {
  proc_->signal(SIGKILL);
  proc_->wait_exit(std::chrono::seconds{10});
}

void real_server::stop() {
  if (proc_->exited())
    return;
  proc_->signal(SIGTERM);
  if (!proc_->wait_exit(std::chrono::seconds{10}))
    kill();
}

bool real_server::running() {
  return !proc_->exited();
}

// -- broker_process ------------------------------------------------------------

std::string thing_entry(const std::string& id, const std::string& server_id,
                        const std::string& address, const std::string& extra) {
  return "  - id: " + id + "\n    server_id: " + server_id + "\n    address: \"" + address
         + "\"\n" + extra;
}

broker_process::broker_process(const home_dir& home, const std::string& things_yaml,
                               const std::string& broker_id, const std::string& broker_yaml) {
  auto file = home.path() + "/holobroker.yaml";
  std::ofstream{file} << "broker:\n  id: " << broker_id << "\n  temp_dir: "
                      << home.hololinked_dir()
                      << "\n  drain_grace: 1s\n  frontend:\n    ipc: true\n"
                         "    tcp: tcp://127.0.0.1:0\n  logging:\n    level: warn\n"
                      << broker_yaml << "things:\n"
                      << things_yaml;
  proc_ = std::make_unique<child_process>(holobrokerd_binary(),
                                          std::vector<std::string>{"--config", file}, home.env(),
                                          home.log("holobrokerd"));
  if (!proc_->wait_for_line([](const std::string& l) { return l == "ready"; },
                            std::chrono::seconds{30}))
    throw std::runtime_error("holobrokerd did not print \"ready\" (see " + home.log("holobrokerd")
                             + ")");
}

broker_process::~broker_process() {
  proc_->signal(SIGTERM);
  if (!proc_->wait_exit(std::chrono::seconds{10}))
    proc_->signal(SIGKILL);
}

std::string broker_process::find(const std::string& word, const std::string& scheme) const {
  auto prefix = word + " " + scheme + "://";
  for (const auto& line : proc_->lines())
    if (line.rfind(prefix, 0) == 0)
      return line.substr(word.size() + 1);
  throw std::runtime_error("holobrokerd printed no \"" + prefix + "\" line");
}

unsigned broker_process::federation_port() const {
  for (const auto& line : proc_->lines())
    if (line.rfind("federation ", 0) == 0)
      return static_cast<unsigned>(std::stoul(line.substr(11)));
  throw std::runtime_error("holobrokerd printed no \"federation PORT\" line");
}

std::string broker_process::frontend(const std::string& scheme) const {
  return find("frontend", scheme);
}

std::string broker_process::events(const std::string& scheme) const {
  return find("events", scheme);
}

// -- driver_process ------------------------------------------------------------

driver_process::driver_process(const home_dir& home, const std::string& script_path,
                               const std::vector<std::string>& args, const std::string& log_name)
  : log_(home.log(log_name)) {
  std::vector<std::string> argv{script_path};
  argv.insert(argv.end(), args.begin(), args.end());
  proc_ = std::make_unique<child_process>(python(), argv, home.env(), log_);
}

bool driver_process::finish(std::chrono::seconds timeout) {
  auto done = proc_->wait_for_line(
    [this](const std::string& line) {
      if (line.rfind("CHECK ", 0) == 0) {
        auto j = nlohmann::json::parse(line.substr(6), nullptr, false);
        if (j.is_object() && j.contains("check"))
          results_[j["check"].get<std::string>()] = j;
      }
      return line == "DONE";
    },
    timeout);
  if (!done) {
    CAF_MESSAGE("driver " << log_ << " did not finish; stderr tail:\n" << log_tail());
    return false;
  }
  proc_->wait_exit(std::chrono::seconds{10});
  return true;
}

nlohmann::json driver_process::result(const std::string& name) const {
  auto i = results_.find(name);
  return i == results_.end() ? nlohmann::json{} : i->second;
}

std::string driver_process::log_tail() const {
  std::ifstream in{log_};
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  return text.size() > 4000 ? text.substr(text.size() - 4000) : text;
}

std::string script(const std::string& name) {
  return std::string{HOLOBROKER_INTEROP_SCRIPTS} + "/" + name;
}

std::string holobrokerd_binary() {
  return HOLOBROKERD_BINARY;
}

std::string holobroker_cli_binary() {
  return HOLOBROKER_CLI_BINARY;
}

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (pred())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  return pred();
}

} // namespace holobroker::test::interop
