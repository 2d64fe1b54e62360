#include "handshake.hpp"

namespace holobroker::client {

handshake::handshake(const client_config& cfg)
  : resend_after_(cfg.handshake_resend_after), backoff_(cfg.handshake_retry_min, cfg.handshake_retry_max) {}

std::uint64_t handshake::begin(time_point now) {
  started_ = now;
  attempts_ = 0;
  backoff_.reset();
  ++attempt_; // timers of the previous run's attempts are stale
  return ++run_;
}

std::uint64_t handshake::next_attempt() {
  ++attempts_;
  return ++attempt_;
}

caf::timespan handshake::sent(std::string message_id) {
  outstanding_.insert(std::move(message_id));
  return resend_after_;
}

handshake::answer handshake::on_reply(const std::string& message_id) {
  if (outstanding_.erase(message_id) > 0) {
    // Bounded: answers to superseded attempts may never come.
    if (superseded_.size() > 64)
      superseded_.clear();
    superseded_.merge(outstanding_);
    outstanding_.clear();
    ++attempt_; // no more retries
    return answer::accepted;
  }
  return superseded_.erase(message_id) > 0 ? answer::superseded : answer::unknown;
}

void handshake::give_up() {
  outstanding_.clear();
  ++attempt_;
}

} // namespace holobroker::client
