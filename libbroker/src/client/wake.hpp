#pragma once

// Turns reactor wake-ups into one `readable` message per burst: the flag is
// set when a message is sent and cleared by the actor right before it drains,
// so a busy socket does not flood the actor's mailbox.

#include <atomic>
#include <memory>

#include <caf/actor_cast.hpp>
#include <caf/message_priority.hpp>
#include <caf/send.hpp>
#include <caf/weak_intrusive_ptr.hpp>

#include "holobroker/client/atoms.hpp"
#include "holobroker/transport/transport.hpp"

namespace holobroker::client {

class wake_flag {
public:
  wake_flag() : pending_(std::make_shared<std::atomic<bool>>(false)) {}

  /// The callback for transport::watch(); holds `target` weakly. With
  /// `priority` high, `readable` overtakes the normal messages in the
  /// target's mailbox (the front end: frontend_lanes.hpp says why).
  transport::wake_callback
  callback_for(caf::weak_actor_ptr target,
               caf::message_priority priority = caf::message_priority::normal) const {
    return [pending = pending_, target = std::move(target), priority] {
      if (pending->exchange(true))
        return;
      auto strong = target.lock();
      if (!strong)
        return;
      auto dest = caf::actor_cast<caf::actor>(strong);
      if (priority == caf::message_priority::high)
        caf::anon_send<caf::message_priority::high>(dest, readable_atom_v);
      else
        caf::anon_send(dest, readable_atom_v);
    };
  }

  /// Call before draining: wake-ups from now on send a new message.
  void clear() noexcept { pending_->store(false); }

  /// For the actor itself (a send may consume the socket's edge, so it looks
  /// again): true when no `readable` is on its way, and then one must be
  /// sent; false when one already is.
  bool arm() noexcept { return !pending_->exchange(true); }

private:
  std::shared_ptr<std::atomic<bool>> pending_;
};

} // namespace holobroker::client
