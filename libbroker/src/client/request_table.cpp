#include "request_table.hpp"

#include <variant>

namespace holobroker::client {

void pending_request::deliver(caf::local_actor* self, const outcome& out) {
  switch (kind) {
    case request_kind::execute:
      std::visit([&](const auto& x) { reply.deliver(self, x); }, out);
      return;
    case request_kind::oneway:
      if (auto err = std::get_if<caf::error>(&out))
        sent_id.deliver(self, *err);
      return;
    case request_kind::split:
      for (auto& rp : receivers)
        std::visit([&](const auto& x) { rp.deliver(self, x); }, out);
      receivers.clear();
      return;
  }
}

std::optional<request_table::timer_request>
request_table::add(const std::string& id, pending_request p, time_point deadline,
                   time_point now) {
  auto at = deadlines_.emplace(deadline, id);
  ++per_thing_[p.thing_id];
  entries_.emplace(id, entry{std::move(p), at});
  queue_.push_back(id);
  return rearm(now);
}

pending_request* request_table::find(const std::string& id) {
  auto i = entries_.find(id);
  return i == entries_.end() ? nullptr : &i->second.request;
}

pending_request* request_table::front_unsent(const std::string*& id) {
  while (!queue_.empty()) {
    auto i = entries_.find(queue_.front());
    if (i != entries_.end() && !i->second.request.sent) {
      id = &i->first;
      return &i->second.request;
    }
    queue_.pop_front();
  }
  id = nullptr;
  return nullptr;
}

void request_table::requeue(const std::string& id) {
  if (auto i = entries_.find(id); i != entries_.end()) {
    i->second.request.sent = false;
    queue_.push_front(id);
  }
}

std::vector<std::string> request_table::take_queue() {
  std::vector<std::string> out;
  for (auto& id : queue_)
    if (auto i = entries_.find(id); i != entries_.end() && !i->second.request.sent)
      out.push_back(std::move(id));
  queue_.clear();
  return out;
}

std::optional<pending_request> request_table::take(const std::string& id) {
  auto i = entries_.find(id);
  if (i == entries_.end())
    return std::nullopt;
  auto p = std::move(i->second.request);
  deadlines_.erase(i->second.deadline);
  entries_.erase(i);
  if (auto n = per_thing_.find(p.thing_id); n != per_thing_.end() && --n->second == 0)
    per_thing_.erase(n);
  return p;
}

std::size_t request_table::count_for(const std::string& thing_id) const {
  auto i = per_thing_.find(thing_id);
  return i == per_thing_.end() ? 0 : i->second;
}

std::vector<pending_request> request_table::take_all() {
  std::vector<pending_request> out;
  out.reserve(entries_.size());
  for (auto& [id, e] : entries_)
    out.push_back(std::move(e.request));
  entries_.clear();
  per_thing_.clear();
  deadlines_.clear();
  queue_.clear();
  return out;
}

std::vector<std::string> request_table::ids() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const auto& [id, e] : entries_)
    out.push_back(id);
  return out;
}

std::vector<std::string> request_table::due(std::uint64_t timer_id, time_point now) {
  std::vector<std::string> out;
  if (!timer_armed_ || timer_id != timer_id_)
    return out; // superseded by an earlier deadline, which re-armed already
  timer_armed_ = false;
  for (auto i = deadlines_.begin(); i != deadlines_.end() && i->first <= now; ++i)
    out.push_back(i->second);
  return out;
}

std::optional<request_table::timer_request> request_table::rearm(time_point now) {
  if (deadlines_.empty())
    return std::nullopt;
  auto earliest = deadlines_.begin()->first;
  // The armed timer fires early enough; when it finds nothing due it re-arms.
  if (timer_armed_ && timer_at_ <= earliest)
    return std::nullopt;
  timer_armed_ = true;
  timer_at_ = earliest;
  auto delay = earliest > now ? caf::timespan{earliest - now} : caf::timespan{0};
  return timer_request{delay, ++timer_id_};
}

std::size_t request_table::in_flight() const {
  std::size_t n = 0;
  for (const auto& [id, e] : entries_)
    n += e.request.sent ? 1 : 0;
  return n;
}

} // namespace holobroker::client
