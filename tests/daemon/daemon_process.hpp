#pragma once

// Runs the real holobrokerd for an integration test with a configuration
// written to a file, and reads the endpoints it prints before "ready".

#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace holobroker::test {

/// Path of the holobrokerd binary under test.
std::string holobrokerd_binary();

/// Writes `yaml` to `path`.
void write_file(const std::string& path, const std::string& yaml);

class daemon_process {
public:
  /// Starts `holobrokerd --config <config_file> extra...`; throws if it does
  /// not print "ready" within 20 s.
  /// A non-empty `stderr_log` receives the daemon's stderr (its log).
  explicit daemon_process(const std::string& config_file,
                          const std::vector<std::string>& extra = {},
                          const std::vector<std::string>& env = {},
                          const std::string& stderr_log = {});

  child_process& process() noexcept { return *proc_; }

  /// The front-end / event endpoint printed with that scheme ("ipc", "tcp"); throws if none.
  std::string frontend(const std::string& scheme) const;
  std::string events(const std::string& scheme) const;
  /// The operators' HTTP endpoint printed as `http <url>`; throws if none.
  std::string http_url() const { return find("http", "http"); }
  /// The middleman port, 0 if not published.
  unsigned middleman_port() const;

  /// SIGTERM, then the exit code within `timeout` (nullopt if still running).
  std::optional<int> terminate(std::chrono::milliseconds timeout = std::chrono::seconds{20});

private:
  std::string find(const std::string& word, const std::string& scheme) const;
  std::unique_ptr<child_process> proc_;
};

/// Runs `holobrokerd args...` to completion with stderr folded into stdout;
/// returns the exit code and the output.
std::pair<int, std::string> run_holobrokerd(const std::vector<std::string>& args);

} // namespace holobroker::test
