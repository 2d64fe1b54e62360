#pragma once

// One thread that waits (epoll) on the ZMQ_FDs of many sockets and calls
// each socket owner's wake callback when its fd signals. It never touches a
// socket: libzmq sockets are not thread-safe, so all I/O stays with the
// owning actor, which drains its socket on every wake (and after every
// send, since ZMQ_FD is edge-triggered). Idle sockets cost nothing: the
// thread sleeps in epoll_wait.

#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "holobroker/transport/transport.hpp"

namespace holobroker::transport {

class reactor {
public:
  using token = std::uint64_t;

  /// Starts the thread; throws std::system_error if epoll is unavailable.
  reactor();
  /// Stops and joins the thread.
  ~reactor();

  reactor(const reactor&) = delete;
  reactor& operator=(const reactor&) = delete;

  /// Watches `fd` (edge-triggered) until remove(); `wake` runs on the reactor
  /// thread and must be cheap (e.g. send an actor a message). Calls `wake`
  /// once right away, since the fd may have signalled before registration.
  token add(int fd, wake_callback wake);

  /// Stops watching; call before the socket owning the fd closes. A wake
  /// already running may still complete.
  void remove(token id);

  /// Number of watched fds.
  std::size_t size() const;

private:
  void run();

  int epoll_fd_ = -1;
  int stop_fd_ = -1;
  mutable std::mutex mtx_;
  token next_token_ = 1;
  struct entry {
    int fd;
    std::shared_ptr<wake_callback> wake;
  };
  std::unordered_map<token, entry> entries_;
  std::thread thread_;
};

} // namespace holobroker::transport
