#include "holobroker/transport/reactor.hpp"

#include <array>
#include <cerrno>
#include <system_error>

#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace holobroker::transport {

namespace {

constexpr reactor::token stop_token = 0;

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error{errno, std::generic_category(), what};
}

} // namespace

reactor::reactor() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0)
    throw_errno("epoll_create1");
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) {
    ::close(epoll_fd_);
    throw_errno("eventfd");
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = stop_token;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, stop_fd_, &ev) != 0) {
    ::close(stop_fd_);
    ::close(epoll_fd_);
    throw_errno("epoll_ctl");
  }
  thread_ = std::thread{[this] { run(); }};
}

reactor::~reactor() {
  std::uint64_t one = 1;
  if (::write(stop_fd_, &one, sizeof(one)) != sizeof(one))
    spdlog::error("reactor: cannot signal the reactor thread to stop (errno {})", errno);
  thread_.join();
  ::close(stop_fd_);
  ::close(epoll_fd_);
}

reactor::token reactor::add(int fd, wake_callback wake) {
  auto callback = std::make_shared<wake_callback>(std::move(wake));
  token id;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    id = next_token_++;
    entries_.emplace(id, entry{fd, callback});
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  ev.data.u64 = id;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    auto err = errno;
    std::lock_guard<std::mutex> guard{mtx_};
    entries_.erase(id);
    throw std::system_error{err, std::generic_category(), "epoll_ctl(ADD)"};
  }
  (*callback)();
  return id;
}

void reactor::remove(token id) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = entries_.find(id);
  if (i == entries_.end())
    return;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, i->second.fd, nullptr) != 0)
    spdlog::warn("reactor: epoll_ctl(DEL) of fd {} failed (errno {})", i->second.fd, errno);
  entries_.erase(i);
}

std::size_t reactor::size() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return entries_.size();
}

void reactor::run() {
  std::array<epoll_event, 64> events;
  for (;;) {
    int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), -1);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      spdlog::critical("reactor: epoll_wait failed (errno {}); socket wake-ups stop", errno);
      return;
    }
    for (int i = 0; i < n; ++i) {
      auto id = events[static_cast<std::size_t>(i)].data.u64;
      if (id == stop_token)
        return;
      std::shared_ptr<wake_callback> wake;
      {
        std::lock_guard<std::mutex> guard{mtx_};
        auto e = entries_.find(id);
        if (e != entries_.end())
          wake = e->second.wake;
      }
      if (wake)
        (*wake)();
    }
  }
}

} // namespace holobroker::transport
