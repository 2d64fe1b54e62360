#pragma once

// Which directory snapshot the front end routes by, and who may replace it:
// only the actor it follows (today the fleet), and never with an older
// snapshot than the one it has. The one place that decides, so that
// following another source (a federation) changes only what is passed in.

#include <utility>

#include <caf/actor_cast.hpp>

#include "holobroker/client/thing_directory.hpp"

namespace holobroker::broker::frontend {

class followed_directory {
public:
  followed_directory() = default;
  followed_directory(client::directory_actor source, client::thing_directory initial)
    : source_(std::move(source)), current_(std::move(initial)) {}

  const client::directory_actor& source() const noexcept { return source_; }
  const client::thing_directory& current() const noexcept { return current_; }

  /// Takes `next` if `sender` is the source and `next` is newer; false when refused.
  bool accept(const caf::strong_actor_ptr& sender, client::thing_directory& next) {
    if (sender != caf::actor_cast<caf::strong_actor_ptr>(source_)
        || next.version() <= current_.version())
      return false;
    current_ = std::move(next);
    return true;
  }

private:
  client::directory_actor source_;
  client::thing_directory current_;
};

} // namespace holobroker::broker::frontend
