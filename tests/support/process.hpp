#pragma once

// Runs a program as a child process for integration tests and benchmarks:
// its stdout is read line by line (stderr is inherited so its logs show up
// in the test output, or goes to a log file), a caller can wait with a bounded timeout for a line matching a
// predicate, and the child is killed and reaped on destruction so a failing
// test never leaves processes behind.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace holobroker::test {

class child_process {
public:
  using line_predicate = std::function<bool(const std::string&)>;

  /// Starts `program` with `args` (argv[1..]); throws std::runtime_error if
  /// it cannot be started. `env` entries ("NAME=value") are added to the
  /// inherited environment, replacing inherited entries of the same name. A non-empty `stderr_log` receives the child's
  /// stderr (appended) instead of inheriting ours.
  child_process(const std::string& program, const std::vector<std::string>& args,
                const std::vector<std::string>& env = {}, const std::string& stderr_log = {});
  ~child_process();

  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const noexcept { return pid_; }

  /// Where the child's stderr goes; empty when inherited.
  const std::string& stderr_log() const noexcept { return stderr_log_; }

  /// Next stdout line (without '\n') within `timeout`; nullopt on timeout or
  /// when the child closed its stdout.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);

  /// Reads lines until one satisfies `pred` and returns it; nullopt when
  /// `timeout` passes or stdout ends first. Every line read, matching or
  /// not, is kept in `lines()`.
  std::optional<std::string> wait_for_line(const line_predicate& pred,
                                           std::chrono::milliseconds timeout);

  /// All stdout lines read so far.
  const std::vector<std::string>& lines() const noexcept { return lines_; }

  /// Sends `sig` (if the child still runs).
  void signal(int sig);

  /// Sends SIGSTOP and waits up to `timeout` until the kernel reports the
  /// child stopped, which is when its last thread has stopped: kill()
  /// returns before that, so a test that froze a child with signal()
  /// alone can still see it answer. False if it did not stop in time (or
  /// exited).
  bool freeze(std::chrono::milliseconds timeout = std::chrono::seconds{5});

  /// Sends SIGCONT (the counterpart of freeze()).
  void thaw();

  /// Waits up to `timeout` for the child to exit and returns its wait status
  /// (as from waitpid); nullopt if it is still running.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

  /// Whether the child has exited (reaps it if so).
  bool exited();

private:
  pid_t pid_ = -1;
  std::string stderr_log_;
  int stdout_fd_ = -1;
  std::string buffer_;
  std::vector<std::string> lines_;
  std::optional<int> status_;
};

/// The exit code of a wait status, or -signal when killed by a signal.
int exit_code_of(int wait_status);

} // namespace holobroker::test
