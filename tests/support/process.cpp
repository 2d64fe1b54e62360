#include "support/process.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace holobroker::test {

namespace {

using clock_type = std::chrono::steady_clock;

std::runtime_error sys_error(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

} // namespace

child_process::child_process(const std::string& program, const std::vector<std::string>& args,
                             const std::vector<std::string>& env, const std::string& stderr_log)
  : stderr_log_(stderr_log) {
  // Everything the child needs is prepared before fork(): after fork only
  // async-signal-safe calls are allowed.
  std::vector<std::string> argv_store;
  argv_store.push_back(program);
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_store)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  // An entry of `env` replaces an inherited one of the same name: with two
  // HOME= entries, getenv() (and Python's os.environ) would see the first.
  auto overridden = [&env](const char* entry) {
    std::string_view e{entry};
    auto name = e.substr(0, e.find('=') + 1);
    return std::any_of(env.begin(), env.end(),
                       [&](const std::string& x) { return x.rfind(name, 0) == 0; });
  };
  std::vector<std::string> env_store;
  for (char** e = environ; *e != nullptr; ++e)
    if (!overridden(*e))
      env_store.emplace_back(*e);
  env_store.insert(env_store.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (auto& e : env_store)
    envp.push_back(e.data());
  envp.push_back(nullptr);

  int log_fd = -1;
  if (!stderr_log.empty()) {
    log_fd = ::open(stderr_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0)
      throw sys_error("open " + stderr_log);
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    if (log_fd >= 0)
      ::close(log_fd);
    throw sys_error("pipe2");
  }
  pid_ = ::fork();
  if (pid_ < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    if (log_fd >= 0)
      ::close(log_fd);
    throw sys_error("fork");
  }
  if (pid_ == 0) {
    // A test that aborts (failed CAF_REQUIRE) runs no destructors: the child
    // must not outlive it and keep the test's output pipes open.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(fds[1], STDOUT_FILENO); // dup2 clears O_CLOEXEC on the copy
    if (log_fd >= 0)
      ::dup2(log_fd, STDERR_FILENO);
    ::execve(program.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  if (log_fd >= 0)
    ::close(log_fd);
  stdout_fd_ = fds[0];
}

child_process::~child_process() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    int st = 0;
    while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
    }
  }
  if (stdout_fd_ >= 0)
    ::close(stdout_fd_);
}

std::optional<std::string> child_process::read_line(std::chrono::milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  for (;;) {
    if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      lines_.push_back(line);
      return line;
    }
    if (stdout_fd_ < 0)
      return std::nullopt;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline
                                                                       - clock_type::now());
    if (left.count() <= 0)
      return std::nullopt;
    pollfd pfd{stdout_fd_, POLLIN, 0};
    int rc = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR)
      continue;
    if (rc <= 0)
      return std::nullopt;
    char chunk[4096];
    auto n = ::read(stdout_fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) { // EOF: the child closed stdout
      ::close(stdout_fd_);
      stdout_fd_ = -1;
      if (!buffer_.empty()) {
        lines_.push_back(buffer_);
        return std::exchange(buffer_, std::string{});
      }
      return std::nullopt;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

std::optional<std::string> child_process::wait_for_line(const line_predicate& pred,
                                                        std::chrono::milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline
                                                                       - clock_type::now());
    if (left.count() <= 0)
      return std::nullopt;
    auto line = read_line(left);
    if (!line)
      return std::nullopt;
    if (pred(*line))
      return line;
  }
}

void child_process::signal(int sig) {
  if (pid_ > 0 && !exited())
    ::kill(pid_, sig);
}

bool child_process::freeze(std::chrono::milliseconds timeout) {
  if (pid_ <= 0 || exited())
    return false;
  ::kill(pid_, SIGSTOP);
  // waitpid(WUNTRACED) reports the stop once the whole thread group has
  // stopped. Neither a pidfd nor SIGCHLD without a handler wakes us for a
  // stop, so this checks every millisecond within the bound.
  auto deadline = clock_type::now() + timeout;
  for (;;) {
    int st = 0;
    auto rc = ::waitpid(pid_, &st, WNOHANG | WUNTRACED);
    if (rc == pid_) {
      if (WIFSTOPPED(st))
        return true;
      status_ = st; // exited or killed
      return false;
    }
    if (rc < 0 && errno != EINTR)
      return false;
    if (clock_type::now() >= deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  }
}

void child_process::thaw() {
  signal(SIGCONT);
}

bool child_process::exited() {
  if (status_)
    return true;
  int st = 0;
  if (::waitpid(pid_, &st, WNOHANG) == pid_) {
    status_ = st;
    return true;
  }
  return false;
}

std::optional<int> child_process::wait_exit(std::chrono::milliseconds timeout) {
  if (exited())
    return status_;
  // A pidfd becomes readable when the child exits: a bounded wait without
  // SIGCHLD plumbing or polling loops.
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  if (pidfd < 0)
    throw sys_error("pidfd_open");
  pollfd pfd{pidfd, POLLIN, 0};
  auto deadline = clock_type::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline
                                                                       - clock_type::now());
    int rc = ::poll(&pfd, 1, static_cast<int>(std::max<long>(left.count(), 0)));
    if (rc < 0 && errno == EINTR)
      continue;
    break;
  }
  ::close(pidfd);
  if (exited())
    return status_;
  return std::nullopt;
}

int exit_code_of(int wait_status) {
  if (WIFEXITED(wait_status))
    return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status))
    return -WTERMSIG(wait_status);
  return -1;
}

} // namespace holobroker::test
