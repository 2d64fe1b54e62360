#pragma once

// Hands events from the sink actor to the CLI's main thread; stop() (from the
// signal thread) wakes a waiting pop().

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <variant>

#include "holobroker/wire/event.hpp"

namespace holobroker::cli {

class event_queue {
public:
  struct stopped {};
  struct timed_out {};
  using item = std::variant<wire::event, stopped, timed_out>;

  void push(wire::event ev) {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      events_.push_back(std::move(ev));
    }
    cv_.notify_one();
  }

  void stop() {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      stopped_ = true;
    }
    cv_.notify_all();
  }

  /// The next event, `stopped`, or `timed_out` once `deadline` passed.
  item pop(std::optional<std::chrono::steady_clock::time_point> deadline) {
    std::unique_lock<std::mutex> guard{mtx_};
    auto ready = [this] { return stopped_ || !events_.empty(); };
    if (deadline) {
      if (!cv_.wait_until(guard, *deadline, ready))
        return timed_out{};
    } else {
      cv_.wait(guard, ready);
    }
    if (!events_.empty()) {
      auto ev = std::move(events_.front());
      events_.pop_front();
      return ev;
    }
    return stopped{};
  }

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  std::deque<wire::event> events_;
  bool stopped_ = false;
};

} // namespace holobroker::cli
