#include "timers.hpp"

#include <cstdint>
#include <string>

#include <caf/event_based_actor.hpp>
#include <caf/weak_intrusive_ptr.hpp>

#include "holobroker/client/atoms.hpp"

namespace holobroker::client {

namespace {

caf::behavior timer_relay(caf::event_based_actor* self, caf::weak_actor_ptr owner) {
  // Forwards each timer message as is; quits once the owner is gone.
  auto forward = [self, owner](auto... xs) {
    if (auto strong = owner.lock())
      strong->enqueue(caf::make_mailbox_element(nullptr, caf::make_message_id(), {}, xs...),
                      self->context());
    else
      self->quit();
  };
  // The timer messages of client_actor_impl (client_actor_impl.hpp).
  return {
    [forward](deadline_atom x, std::uint64_t timer) { forward(x, timer); },
    [forward](handshake_retry_atom x, std::uint64_t attempt) { forward(x, attempt); },
    [forward](handshake_timeout_atom x, std::uint64_t run) { forward(x, run); },
    [forward](ping_timeout_atom x, const std::string& id) { forward(x, id); },
    [forward](send_retry_atom x) { forward(x); },
  };
}

} // namespace

void timers::start(caf::local_actor* owner) {
  owner_ = owner;
  relay_ = owner->spawn(timer_relay, caf::actor_cast<caf::weak_actor_ptr>(owner));
}

} // namespace holobroker::client
