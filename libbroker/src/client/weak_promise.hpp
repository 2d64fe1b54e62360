#pragma once

// A response promise that does not keep the client actor alive.
//
// caf::response_promise holds a strong reference to the actor that made it.
// Kept in the client's own state (a pending request, a handshake waiter) it
// forms a cycle: a client whose users have all dropped their handles would
// live on, socket open, until its last pending request ended. This promise
// keeps only the requester, the forwarding stages and the message id; the
// client names itself when it delivers, or nobody while it is being
// destroyed (then the answer travels without a sender, which CAF's response
// matching does not need: it goes by message id).

#include <utility>

#include <caf/actor_control_block.hpp>
#include <caf/local_actor.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/message.hpp>
#include <caf/response_promise.hpp>

namespace holobroker::client {

template <class T>
class weak_promise {
public:
  weak_promise() = default;

  /// Takes over the request `self` is handling (as make_response_promise).
  explicit weak_promise(caf::local_actor* self) {
    auto rp = self->make_response_promise();
    source_ = rp.source();
    stages_ = rp.stages();
    id_ = rp.id();
  }

  bool pending() const noexcept { return source_ != nullptr || !stages_.empty(); }

  /// Answers with `x` (a T or a caf::error), once. `self`: the delivering
  /// actor, or nullptr from its destructor.
  template <class U>
  void deliver(caf::local_actor* self, U&& x) {
    if (!pending())
      return;
    if (self != nullptr) {
      caf::response_promise rp{caf::strong_actor_ptr{self->ctrl()}, std::move(source_),
                               std::move(stages_), id_};
      rp.deliver(std::forward<U>(x));
    } else {
      deliver_orphaned(caf::make_message(std::forward<U>(x)));
    }
    source_ = nullptr;
    stages_.clear();
  }

private:
  // What response_promise::deliver does, minus the sender (it refuses to
  // deliver without one).
  void deliver_orphaned(caf::message msg) {
    if (!stages_.empty()) {
      auto next = std::move(stages_.back());
      stages_.pop_back();
      next->enqueue(caf::make_mailbox_element(std::move(source_), id_, std::move(stages_),
                                              std::move(msg)),
                    nullptr);
    } else if (source_ != nullptr) {
      source_->enqueue(caf::make_mailbox_element(nullptr, id_.response_id(), {}, std::move(msg)),
                       nullptr);
    }
  }

  caf::strong_actor_ptr source_;
  caf::response_promise::forwarding_stack stages_;
  caf::message_id id_;
};

} // namespace holobroker::client
