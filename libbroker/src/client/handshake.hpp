#pragma once

// The HANDSHAKE of one connection, as a plain object owned by the client
// actor (which does the I/O and sets the timers this object asks for).
//
// A run starts at spawn, and again when a server appears after a failed
// run. Each attempt sends a HANDSHAKE with a new message id: the first at
// once, the next after `handshake_resend_after` without an answer, or after
// a backoff (handshake_retry_min doubling up to handshake_retry_max) while
// the peer is unroutable (ZMQ_ROUTER_MANDATORY refused the send), or at
// once when the socket monitor reports the link ready. The first answer to
// any attempt of the run ends it; answers to the other attempts are then
// expected and ignored. After `handshake_timeout` the run fails.
//
// Attempts and runs are numbered: a timer carries the number it was set
// for, and is stale once a newer attempt (or run) exists.

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include <caf/actor_clock.hpp>
#include <caf/error.hpp>
#include <caf/timespan.hpp>

#include "backoff.hpp"
#include "holobroker/client/client_config.hpp"
#include "weak_promise.hpp"

namespace holobroker::client {

class handshake {
public:
  using time_point = caf::actor_clock::time_point;

  explicit handshake(const client_config& cfg);

  /// Starts a run at `now`; returns its number (for its timeout timer).
  std::uint64_t begin(time_point now);
  bool is_current_run(std::uint64_t run) const noexcept { return run == run_; }

  /// Starts an attempt; returns its number (for its retry timer). Attempts
  /// before it are superseded, their timers stale.
  std::uint64_t next_attempt();
  bool is_current_attempt(std::uint64_t attempt) const noexcept { return attempt == attempt_; }
  /// The number a timer for "attempt now, unless one went out meanwhile" carries.
  std::uint64_t current_attempt() const noexcept { return attempt_; }

  /// The attempt went out as `message_id`: resend after the returned delay.
  caf::timespan sent(std::string message_id);
  /// The attempt could not be sent: retry after the returned delay.
  caf::timespan unroutable() { return backoff_.next(); }
  /// The link is up: the next unroutable retry comes soon again.
  void link_up() { backoff_.reset(); }

  enum class answer {
    accepted,   ///< answers an attempt of the running run: the run succeeded
    superseded, ///< answers an attempt made redundant by an accepted one
    unknown,    ///< nobody asked (a duplicate, or after the run failed)
  };
  /// A HANDSHAKE reply with `message_id` arrived.
  answer on_reply(const std::string& message_id);

  /// The run failed: its attempts' answers are now unknown.
  void give_up();

  /// Since the run started.
  caf::timespan elapsed(time_point now) const { return now - started_; }
  std::uint64_t attempts_this_run() const noexcept { return attempts_; }

  /// Someone waits for the run's outcome (handshake_atom).
  void wait(weak_promise<caf::timespan> promise) { waiters_.push_back(std::move(promise)); }
  /// Answers every waiter with `x` (the handshake's duration or an error).
  template <class T>
  void notify(caf::local_actor* self, const T& x) {
    for (auto& w : waiters_)
      w.deliver(self, x);
    waiters_.clear();
  }

private:
  caf::timespan resend_after_;
  backoff backoff_;
  std::uint64_t run_ = 0;
  std::uint64_t attempt_ = 0;
  std::uint64_t attempts_ = 0; ///< in this run
  time_point started_;
  std::unordered_set<std::string> outstanding_; ///< sent attempts of this run
  std::unordered_set<std::string> superseded_;  ///< answered late, not counted
  std::vector<weak_promise<caf::timespan>> waiters_;
};

} // namespace holobroker::client
