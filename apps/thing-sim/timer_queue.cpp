#include "timer_queue.hpp"

namespace holobroker::sim {

timer_id timer_queue::schedule_at(clock::time_point when, callback fn) {
  auto id = next_id_++;
  heap_.push(entry{when, id, std::move(fn)});
  pending_.insert(id);
  return id;
}

void timer_queue::cancel(timer_id id) {
  if (pending_.erase(id) > 0)
    cancelled_.insert(id);
}

void timer_queue::drop_cancelled_top() {
  while (!heap_.empty()) {
    auto it = cancelled_.find(heap_.top().id);
    if (it == cancelled_.end())
      return;
    cancelled_.erase(it);
    heap_.pop();
  }
}

std::optional<timer_queue::clock::time_point> timer_queue::next_deadline() {
  drop_cancelled_top();
  if (heap_.empty())
    return std::nullopt;
  return heap_.top().when;
}

std::size_t timer_queue::run_due(clock::time_point now) {
  std::size_t ran = 0;
  for (;;) {
    drop_cancelled_top();
    if (heap_.empty() || heap_.top().when > now)
      return ran;
    // priority_queue::top is const: move out via const_cast is safe because
    // the element is popped right away.
    auto fn = std::move(const_cast<entry&>(heap_.top()).fn);
    pending_.erase(heap_.top().id);
    heap_.pop();
    fn();
    ++ran;
  }
}

} // namespace holobroker::sim
