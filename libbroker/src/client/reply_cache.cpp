#include "reply_cache.hpp"

namespace holobroker::client {

bool reply_cache::put(const std::string& message_id, outcome value) {
  if (capacity_ == 0)
    return true;
  bool evicted = false;
  while (entries_.size() >= capacity_ && !order_.empty()) {
    evicted |= entries_.erase(order_.front()) > 0;
    order_.pop_front();
  }
  entries_.insert_or_assign(message_id, std::move(value));
  order_.push_back(message_id);
  // Ids taken out of order leave stale entries in order_; keep it bounded.
  if (order_.size() > 2 * capacity_ + 16) {
    std::deque<std::string> live;
    for (auto& id : order_)
      if (entries_.count(id) > 0)
        live.push_back(std::move(id));
    order_ = std::move(live);
  }
  return evicted;
}

std::optional<outcome> reply_cache::take(const std::string& message_id) {
  auto i = entries_.find(message_id);
  if (i == entries_.end())
    return std::nullopt;
  auto result = std::move(i->second);
  entries_.erase(i);
  return result;
}

} // namespace holobroker::client
