#pragma once

// The client's timers, delivered through a relay actor that holds the client
// weakly. CAF's clock keeps a strong reference to the receiver of a delayed
// message, so a timer the client set for itself would keep it (and its
// socket) alive until the timer fired after its last user had gone: up to
// the handshake timeout (60 s by default) or a request's deadline. The
// relay receives the timer messages instead and forwards them while the
// client exists; the client ends the relay when it goes.

#include <utility>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/local_actor.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/send.hpp>

namespace holobroker::client {

class timers {
public:
  timers() = default;
  timers(const timers&) = delete;
  timers& operator=(const timers&) = delete;
  ~timers() { stop(); }

  /// Spawns the relay for `owner`, which must be a client actor.
  void start(caf::local_actor* owner);

  /// Delivers `(xs...)` to the owner after `delay` (anonymously), unless
  /// it is gone by then. A timer cannot be cancelled: messages carry what
  /// the owner needs to tell a stale one.
  template <class... Ts>
  void after(caf::timespan delay, Ts&&... xs) {
    if (!relay_)
      return;
    auto& clock = owner_->clock();
    clock.schedule_message(clock.now() + delay, caf::actor_cast<caf::strong_actor_ptr>(relay_),
                           caf::make_mailbox_element(nullptr, caf::make_message_id(), {},
                                                     std::forward<Ts>(xs)...));
  }

  /// Ends the relay; timers still pending are dropped.
  void stop() {
    if (relay_)
      caf::anon_send_exit(relay_, caf::exit_reason::user_shutdown);
    relay_ = caf::actor{};
  }

private:
  caf::local_actor* owner_ = nullptr;
  caf::actor relay_;
};

} // namespace holobroker::client
