#pragma once

// Real hololinked 0.4 peers for the interoperability suite: the real server
// (../shared/hololinked-0.4/peer/serve.py), holobrokerd of this build
// directory in front of it, and Python driver scripts that run the real
// hololinked clients (tests/interop/*.py) and print one JSON line per check.
//
// Each test gets its own HOME (hololinked derives IPC paths from it) and
// TCP ports chosen by the OS; every wait is bounded and every process is
// killed and reaped when the test ends (child_process).
//
// Where the peer comes from: the venv's python is compiled in
// (HOLOBROKER_INTEROP_PYTHON, a CMake cache variable; scripts/test.sh
// installs the venv there) and may be overridden with the environment
// variable of the same name. Without it, the tests fail with a message saying
// how to install it when CI=true, and are skipped (exit code 77) otherwise.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace holobroker::test::interop {

/// The venv's python and the peer folder (serve.py); checks they exist first.
const std::string& python();
const std::string& peer_dir();
/// Fails the test (CI=true) or skips the binary (exit 77) without the real peer.
void require_peer();

/// A TCP port P on 127.0.0.1 with P and P + 1 free right now (hololinked
/// binds its event publisher on P + 1).
unsigned free_port_pair();

/// One test's private world: HOME, IPC socket directory, logs.
struct home_dir {
  temp_dir dir{"holobroker-interop"};
  std::string path() const { return dir.string(); }
  /// hololinked's TEMP_DIR under this HOME.
  std::string hololinked_dir() const { return path() + "/.hololinked"; }
  std::vector<std::string> env() const { return {"HOME=" + path()}; }
  std::string log(const std::string& name) const { return path() + "/" + name + ".log"; }
};

/// serve.py: one real ZMQServer with TestThings and spectrometers.
class real_server {
public:
  /// `things`: serve.py's --things; `tcp_port` 0 = IPC only.
  real_server(const home_dir& home, std::string server_id, std::string things,
              unsigned tcp_port = 0, bool msgpack = true);
  ~real_server();

  /// Addresses from the READY line: ipc_server, ipc_event_publisher,
  /// tcp_server, tcp_event_publisher (throws if absent).
  const std::string& address(const std::string& name) const;
  const std::string& server_id() const noexcept { return server_id_; }
  /// SIGKILL (a crash) and reap.
  void kill();
  /// SIGTERM, reap within 10 s, else SIGKILL.
  void stop();
  bool running();

private:
  std::unique_ptr<child_process> proc_;
  std::string server_id_;
  std::map<std::string, std::string> addresses_;
};

/// holobrokerd of this build directory in front of `things` (YAML list).
class broker_process {
public:
  /// `broker_yaml`: more lines under `broker:` (2-space indented), e.g. federation.
  broker_process(const home_dir& home, const std::string& things_yaml,
                 const std::string& broker_id = "holobroker",
                 const std::string& broker_yaml = "");
  ~broker_process();
  /// Printed endpoints: frontend("ipc"), frontend("tcp"), events("tcp").
  std::string frontend(const std::string& scheme) const;
  std::string events(const std::string& scheme) const;
  /// The printed `federation PORT` (throws without broker.federation).
  unsigned federation_port() const;
  child_process& process() noexcept { return *proc_; }

private:
  std::string find(const std::string& word, const std::string& scheme) const;
  std::unique_ptr<child_process> proc_;
};

/// A YAML `things:` entry.
std::string thing_entry(const std::string& id, const std::string& server_id,
                        const std::string& address = "IPC", const std::string& extra = "");

/// A Python driver started with the venv's python in `home`; collects its
/// `CHECK {...}` lines until `DONE`.
class driver_process {
public:
  driver_process(const home_dir& home, const std::string& script,
                 const std::vector<std::string>& args, const std::string& log_name);
  /// Waits (bounded) for DONE; false if it did not come (the log tail is printed).
  bool finish(std::chrono::seconds timeout);
  /// The reported result of check `name` (`{"got": ..}` or `{"error": ..}`),
  /// null if the driver never reported it.
  nlohmann::json result(const std::string& name) const;
  const std::map<std::string, nlohmann::json>& results() const noexcept { return results_; }
  std::string log_tail() const;

private:
  std::unique_ptr<child_process> proc_;
  std::string log_;
  std::map<std::string, nlohmann::json> results_;
};

/// The source directory of the driver scripts.
std::string script(const std::string& name);

/// Path of holobrokerd / holobroker under test.
std::string holobrokerd_binary();
std::string holobroker_cli_binary();

/// Polls `pred` every 10 ms until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

} // namespace holobroker::test::interop
