#pragma once

// A helper program (thing-sim, holobrokerd) run by the benchmark: stdout is
// read line by line for the lines the programs announce themselves with,
// stderr goes to a log file (so fleet runs do not flood the table), and the
// child is stopped and reaped when the handle goes away.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace holobroker::bench {

class child_process {
public:
  /// Starts `program` with `args`; stderr is appended to `stderr_log`.
  /// Throws std::runtime_error naming what failed.
  child_process(const std::string& program, const std::vector<std::string>& args,
                const std::string& stderr_log);
  ~child_process();

  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const noexcept { return pid_; }
  const std::string& stderr_log() const noexcept { return log_; }

  /// Reads stdout lines until `pred` accepts one (returned), or nullopt when
  /// `timeout` passes or stdout ends first. Every line read is kept.
  std::optional<std::string> wait_for_line(const std::function<bool(const std::string&)>& pred,
                                           std::chrono::milliseconds timeout);

  const std::vector<std::string>& lines() const noexcept { return lines_; }

  /// SIGTERM, then SIGKILL after `grace`; reaps the child. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds{5});

private:
  std::optional<std::string> read_line(std::chrono::steady_clock::time_point deadline);

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string log_;
  std::string buffer_;
  std::vector<std::string> lines_;
};

} // namespace holobroker::bench
