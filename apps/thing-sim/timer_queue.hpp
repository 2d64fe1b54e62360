#pragma once

// Delayed work for the single-threaded event loop: a min-heap of deadlines.
// Cancelling is lazy (the id is remembered and the entry skipped when it
// comes due), which keeps schedule/cancel O(log n) without searching the heap.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <unordered_set>
#include <vector>

namespace holobroker::sim {

using timer_id = std::uint64_t;

class timer_queue {
public:
  using clock = std::chrono::steady_clock;
  using callback = std::function<void()>;

  timer_id schedule_at(clock::time_point when, callback fn);
  timer_id schedule_in(clock::duration delay, callback fn) {
    return schedule_at(clock::now() + delay, std::move(fn));
  }

  /// Cancels a pending timer; no effect if it already ran.
  void cancel(timer_id id);

  /// Deadline of the earliest pending timer.
  std::optional<clock::time_point> next_deadline();

  /// Runs every timer due at `now` (including ones scheduled by callbacks
  /// that are already due); returns how many ran.
  std::size_t run_due(clock::time_point now);

  std::size_t size() const noexcept { return heap_.size() - cancelled_.size(); }

private:
  struct entry {
    clock::time_point when;
    timer_id id;
    callback fn;
  };
  struct later {
    bool operator()(const entry& a, const entry& b) const {
      return a.when != b.when ? a.when > b.when : a.id > b.id;
    }
  };

  void drop_cancelled_top();

  std::priority_queue<entry, std::vector<entry>, later> heap_;
  std::unordered_set<timer_id> cancelled_;
  std::unordered_set<timer_id> pending_;
  timer_id next_id_ = 1;
};

} // namespace holobroker::sim
