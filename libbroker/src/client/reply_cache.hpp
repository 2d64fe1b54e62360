#pragma once

// Outcomes of send_request'ed requests that nobody has received yet,
// bounded: when full, the oldest outcome is evicted (and counted).

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

#include "outcome.hpp"

namespace holobroker::client {

class reply_cache {
public:
  explicit reply_cache(std::size_t capacity) : capacity_(capacity) {}

  /// Stores an outcome; returns true if an older one had to be evicted.
  bool put(const std::string& message_id, outcome value);

  /// Removes and returns the outcome of `message_id`.
  std::optional<outcome> take(const std::string& message_id);

  std::size_t size() const noexcept { return entries_.size(); }

private:
  std::size_t capacity_;
  std::unordered_map<std::string, outcome> entries_;
  std::deque<std::string> order_; ///< insertion order; may hold ids already taken
};

} // namespace holobroker::client
