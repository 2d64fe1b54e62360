#pragma once

// The requests of one client from acceptance to their one outcome: the
// pending requests by message id, the send queue (requests accepted but not
// on the wire yet, in order) and every request's deadline.
//
// All deadlines share one CAF timer: scheduling a delayed message locks
// CAF's clock and wakes its thread, too costly once per request. The timer
// stays armed for the earliest deadline; a request accepted with an earlier
// deadline than the armed one re-arms it (the old timer then fires stale,
// told apart by its number). With uniform deadlines a new request never
// schedules a timer.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor_clock.hpp>
#include <caf/timespan.hpp>

#include "holobroker/client/operation.hpp"
#include "holobroker/client/type_ids.hpp" // inspect(): messages carry operation_reply
#include "holobroker/wire/frames.hpp"
#include "outcome.hpp"
#include "weak_promise.hpp"

namespace holobroker::client {

enum class request_kind {
  execute, ///< answered with its outcome
  split,   ///< send_request: outcome fetched with receive_response (or cached)
  oneway,  ///< answered with its message id once sent; never has an outcome
};

struct pending_request {
  request_kind kind = request_kind::execute;
  std::string operation;
  std::string thing_id;
  std::string objekt;     ///< the name, or the JSON text of a list / null
  wire::multipart frames; ///< crafted once, resent as is after a reconnect
  weak_promise<operation_reply> reply;                // execute
  weak_promise<std::string> sent_id;                  // oneway
  std::vector<weak_promise<operation_reply>> receivers; // split
  bool sent = false;
  bool retried = false;

  /// "readproperty thing/name", for logs and errors (built only for them).
  std::string what() const { return operation + " " + thing_id + "/" + objekt; }

  /// Hands `out` to whoever waits for it (nobody for a split request
  /// without receivers: the caller caches it).
  void deliver(caf::local_actor* self, const outcome& out);
};

class request_table {
public:
  using time_point = caf::actor_clock::time_point;

  /// The deadline timer to set: deliver `(deadline_atom, id)` after `delay`.
  struct timer_request {
    caf::timespan delay;
    std::uint64_t id;
  };

  explicit request_table(std::size_t capacity) : capacity_(capacity) {}

  std::size_t size() const noexcept { return entries_.size(); }
  bool full() const noexcept { return entries_.size() >= capacity_; }
  std::size_t capacity() const noexcept { return capacity_; }
  /// Pending requests of one Thing (for its own bound, thing_policy).
  std::size_t count_for(const std::string& thing_id) const;

  /// Adds request `id`, due at `deadline`, at the end of the send queue.
  std::optional<timer_request> add(const std::string& id, pending_request p,
                                   time_point deadline, time_point now);

  pending_request* find(const std::string& id);

  /// The oldest queued request, with its id; nullptr when none is queued.
  /// Skips (and drops from the queue) requests that ended or were sent.
  pending_request* front_unsent(const std::string*& id);
  /// Removes the front of the send queue (after front_unsent).
  void pop_unsent() { queue_.pop_front(); }
  /// Puts a sent request back at the front of the queue (resent first).
  void requeue(const std::string& id);
  /// Empties the send queue; returns the ids that were in it.
  std::vector<std::string> take_queue();

  /// Removes request `id` and its deadline.
  std::optional<pending_request> take(const std::string& id);
  /// Removes every request (shutdown).
  std::vector<pending_request> take_all();

  /// The ids of every pending request (any order).
  std::vector<std::string> ids() const;

  /// The deadline timer `timer_id` fired at `now`: the ids whose deadline
  /// has passed, earliest first (empty for a stale timer). Take them, then
  /// call rearm().
  std::vector<std::string> due(std::uint64_t timer_id, time_point now);
  /// The timer to set for the earliest deadline left, if one is needed.
  std::optional<timer_request> rearm(time_point now);

  /// Requests on the wire / waiting to be sent.
  std::size_t in_flight() const;

private:
  using deadline_map = std::multimap<time_point, std::string>;

  struct entry {
    pending_request request;
    deadline_map::iterator deadline;
  };

  std::size_t capacity_;
  std::unordered_map<std::string, entry> entries_;
  std::unordered_map<std::string, std::size_t> per_thing_; ///< pending, by Thing id
  std::deque<std::string> queue_; ///< may hold ids that ended or were sent
  deadline_map deadlines_;
  bool timer_armed_ = false;
  time_point timer_at_;      ///< when the armed timer fires
  std::uint64_t timer_id_ = 0; ///< of the armed timer; older ones are stale
};

} // namespace holobroker::client
