#pragma once

// Pings in flight: HANDSHAKE round trips asked for with ping_atom, by the
// message id of their HANDSHAKE.

#include <string>
#include <unordered_map>

#include <caf/actor_clock.hpp>
#include <caf/error.hpp>
#include <caf/timespan.hpp>

#include "weak_promise.hpp"

namespace holobroker::client {

class ping_table {
public:
  using time_point = caf::actor_clock::time_point;

  void add(std::string message_id, weak_promise<caf::timespan> promise, time_point start) {
    pending_.emplace(std::move(message_id), entry{std::move(promise), start});
  }

  /// A HANDSHAKE reply: answers the ping `message_id` with its round trip.
  /// False if it is no ping's.
  bool answer(caf::local_actor* self, const std::string& message_id, time_point now) {
    auto i = pending_.find(message_id);
    if (i == pending_.end())
      return false;
    i->second.promise.deliver(self, caf::timespan{now - i->second.start});
    pending_.erase(i);
    return true;
  }

  /// Fails the ping `message_id` (its timeout), if still pending.
  void fail(caf::local_actor* self, const std::string& message_id, const caf::error& err) {
    if (auto i = pending_.find(message_id); i != pending_.end()) {
      i->second.promise.deliver(self, err);
      pending_.erase(i);
    }
  }

  void fail_all(caf::local_actor* self, const caf::error& err) {
    for (auto& [id, e] : pending_)
      e.promise.deliver(self, err);
    pending_.clear();
  }

private:
  struct entry {
    weak_promise<caf::timespan> promise;
    time_point start;
  };
  std::unordered_map<std::string, entry> pending_;
};

} // namespace holobroker::client
