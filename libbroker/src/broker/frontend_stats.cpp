#include "broker/frontend_stats.hpp"

namespace holobroker::broker::frontend {

namespace {

/// How long a client identity counts as a client after its last message.
constexpr auto client_horizon = std::chrono::minutes{5};

/// Above this many identities, the old ones are forgotten at once (random
/// identities: keep memory bounded).
constexpr std::size_t max_clients = 65536;

} // namespace

thing_stats& frontend_stats::of(const std::string& thing) {
  auto i = things_.find(thing);
  if (i == things_.end())
    i = things_.emplace(thing, thing_stats{samples_}).first;
  return i->second;
}

void frontend_stats::saw_client(const wire::shared_bytes& identity) {
  auto now = clock_type::now();
  if (identity.view() == last_client_ && now - last_client_at_ < std::chrono::seconds{1})
    return;
  last_client_.assign(identity.view());
  last_client_at_ = now;
  clients_.insert_or_assign(last_client_, now);
  if (clients_.size() > max_clients)
    forget_old_clients(now);
}

std::size_t frontend_stats::clients(clock_type::time_point now) {
  forget_old_clients(now);
  return clients_.size();
}

void frontend_stats::forget_old_clients(clock_type::time_point now) {
  for (auto i = clients_.begin(); i != clients_.end();)
    i = now - i->second > client_horizon ? clients_.erase(i) : std::next(i);
}

} // namespace holobroker::broker::frontend
