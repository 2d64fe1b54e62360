#pragma once

// The owner's side of a thing_directory: the mutable mapping, its version
// and the followers waiting for the next snapshot. Used inside the one actor
// that owns the mapping (the fleet, the pool); not thread-safe.

#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_control_block.hpp>

#include "holobroker/client/thing_directory.hpp"
#include "holobroker/client/type_ids.hpp"

namespace holobroker::client {

class directory_publisher {
public:
  /// Starts at version 1 (empty): version 0 means "no snapshot yet".
  directory_publisher() : current_(1, {}) {}

  /// Maps (or re-maps) a Thing; takes effect at the next publish().
  void put(thing_route route);
  /// Unmaps a Thing; takes effect at the next publish().
  void erase(const std::string& thing_id);
  const thing_directory::map_type& pending() const noexcept { return routes_; }

  /// Makes the changes since the last publish the current snapshot and
  /// sends it to every live follower. A publish without changes does nothing.
  template <class Self>
  void publish(Self* self) {
    if (!dirty_)
      return;
    dirty_ = false;
    current_ = thing_directory{current_.version() + 1, routes_};
    std::vector<caf::weak_actor_ptr> alive;
    for (auto& w : followers_)
      if (auto hdl = caf::actor_cast<directory_follower>(w)) {
        self->send(hdl, caf::put_atom_v, current_);
        alive.push_back(w);
      }
    followers_ = std::move(alive);
  }

  const thing_directory& current() const noexcept { return current_; }

  /// The watch_atom handler: registers the sender (weakly; a strong handle
  /// would keep a follower alive after its users dropped it) and sends it
  /// the current snapshot.
  template <class Self>
  void follow(Self* self) {
    auto sender = self->current_sender();
    auto hdl = caf::actor_cast<directory_follower>(sender);
    if (!hdl)
      return;
    followers_.push_back(caf::actor_cast<caf::weak_actor_ptr>(sender));
    self->send(hdl, caf::put_atom_v, current_);
  }

private:
  thing_directory::map_type routes_;
  thing_directory current_;
  bool dirty_ = false;
  std::vector<caf::weak_actor_ptr> followers_;
};

} // namespace holobroker::client
