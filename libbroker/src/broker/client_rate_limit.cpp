#include "broker/client_rate_limit.hpp"

#include <iterator>

namespace holobroker::broker {

client_rate_limit::client_rate_limit(double per_second, double burst, std::size_t max_clients)
  : per_second_(per_second > 0 ? per_second : 0),
    burst_(burst >= 1 ? burst : (per_second_ >= 1 ? per_second_ : 1)),
    max_clients_(max_clients > 0 ? max_clients : 1) {}

bool client_rate_limit::admit(std::string_view identity, time_point now) {
  if (!enabled())
    return true;
  auto i = buckets_.find(identity);
  if (i == buckets_.end()) {
    if (buckets_.size() >= max_clients_)
      make_room(now);
    i = buckets_.emplace(std::string{identity}, token_bucket{burst_, per_second_, now}).first;
  }
  return i->second.take(now);
}

void client_rate_limit::make_room(time_point now) {
  for (auto i = buckets_.begin(); i != buckets_.end();)
    i = i->second.full(now) ? buckets_.erase(i) : std::next(i);
  if (buckets_.size() >= max_clients_)
    buckets_.clear();
}

} // namespace holobroker::broker
