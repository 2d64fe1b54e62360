#include "signal_waiter.hpp"

#include <csignal>

namespace holobroker::daemon {

namespace {

sigset_t daemon_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

} // namespace

void signal_waiter::block() {
  auto set = daemon_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

daemon_signal signal_waiter::wait() {
  auto set = daemon_signals();
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0)
      continue;
    if (sig == SIGHUP)
      return daemon_signal::reload;
    return daemon_signal::terminate;
  }
}

} // namespace holobroker::daemon
