#pragma once

// Keeps a window of requests in flight through a client actor and counts
// every outcome, for the restart tests: each request must end exactly once.

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/test/unit_test.hpp>

#include "holobroker/client/client.hpp"
#include "interop_fixture.hpp"

namespace holobroker::test::interop {

using namespace holobroker::client;
using namespace std::chrono_literals;

/// An actor system for the client core (its message types, quiet CAF logs).
struct core_config : caf::actor_system_config {
  core_config() {
    set("logger.file-verbosity", caf::atom("quiet"));
    set("logger.console-verbosity", caf::atom("quiet"));
    set("scheduler.policy", caf::atom("sharing"));
    client::add_message_types(*this);
  }
};


struct load_counts {
  std::mutex mtx;
  std::size_t sent = 0, replies = 0, disconnected = 0, timeouts = 0, other = 0;
  std::vector<std::string> other_errors;
  std::atomic<bool> stop{false};
  std::atomic<bool> done{false};
  std::atomic<std::size_t> ok{0};
};

struct load_state {
  client_actor client;
  std::string thing;
  std::size_t window = 0;
  std::size_t in_flight = 0;
  std::shared_ptr<load_counts> counts;
};

using load_self = caf::stateful_actor<load_state>*;

inline void fire(load_self self);

inline void ended(load_self self, std::size_t load_counts::*field, const caf::error* err = nullptr) {
  auto& st = self->state;
  {
    std::lock_guard<std::mutex> guard{st.counts->mtx};
    ++(*st.counts.*field);
    if (err != nullptr && field == &load_counts::other && st.counts->other_errors.size() < 5)
      st.counts->other_errors.push_back(describe(*err));
  }
  --st.in_flight;
  fire(self);
}

inline void fire(load_self self) {
  auto& st = self->state;
  while (st.in_flight < st.window && !st.counts->stop) {
    ++st.in_flight;
    {
      std::lock_guard<std::mutex> guard{st.counts->mtx};
      ++st.counts->sent;
    }
    auto req = invoke_action(st.thing, "action_echo", wire::shared_bytes::copy_of(R"({"value":1})"));
    req.options.deadline = 5s;
    self->request(st.client, caf::infinite, execute_atom_v, req)
      .then(
        [self](operation_reply&) {
          ++self->state.counts->ok;
          ended(self, &load_counts::replies);
        },
        [self](caf::error& err) {
          auto code = client_errc_of(err);
          // Through holobrokerd a disconnect upstream arrives as the
          // exception a hololinked client understands.
          if (code == client_errc::remote_exception) {
            auto ex = remote_exception_of(err);
            if (ex && ex->type == "ConnectionAbortedError")
              code = client_errc::disconnected;
          }
          ended(self,
                code == client_errc::disconnected ? &load_counts::disconnected
                : code == client_errc::timeout    ? &load_counts::timeouts
                                                  : &load_counts::other,
                &err);
        });
  }
  if (st.in_flight == 0 && st.counts->stop) {
    st.counts->done = true;
    self->quit();
  }
}

inline caf::behavior load_actor(load_self self, client_actor c, std::string thing, std::size_t window,
                         std::shared_ptr<load_counts> counts) {
  self->state.client = std::move(c);
  self->state.thing = std::move(thing);
  self->state.window = window;
  self->state.counts = std::move(counts);
  fire(self);
  return {[self](caf::tick_atom) { fire(self); }};
}

/// Stops the load and checks that every request it sent ended exactly once,
/// as a reply, a disconnect or a timeout (anything else is logged and fails).
inline void stop_and_check(const caf::actor& load, load_counts& counts) {
  counts.stop = true;
  caf::anon_send(load, caf::tick_atom_v);
  CAF_REQUIRE(eventually([&] { return counts.done.load(); }, 30s));
  std::lock_guard<std::mutex> guard{counts.mtx};
  CAF_MESSAGE("sent " << counts.sent << ": " << counts.replies << " replies, "
                      << counts.disconnected << " disconnected, " << counts.timeouts
                      << " timeouts, " << counts.other << " other");
  CAF_CHECK_EQUAL(counts.sent, counts.replies + counts.disconnected + counts.timeouts
                                 + counts.other);
  CAF_CHECK_EQUAL(counts.other, 0u);
  for (auto& e : counts.other_errors)
    CAF_MESSAGE("other error: " << e);
}


} // namespace holobroker::test::interop
