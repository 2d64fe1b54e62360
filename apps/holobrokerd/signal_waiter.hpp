#pragma once

// Signals without async-signal-unsafe work: SIGTERM, SIGINT and SIGHUP are
// blocked in every thread (block() must run before any thread starts, so
// that CAF's and libzmq's threads inherit the mask) and the main thread
// collects them synchronously with sigwait, then acts like any other code.

namespace holobroker::daemon {

enum class daemon_signal {
  reload,    ///< SIGHUP
  terminate, ///< SIGTERM or SIGINT
};

class signal_waiter {
public:
  /// Blocks the signals in the calling thread (and threads it starts later).
  static void block();

  /// Waits for the next signal.
  static daemon_signal wait();
};

} // namespace holobroker::daemon
