#pragma once

// An event sink actor that collects what it is sent, for tests that wait
// for events from other threads (real sockets, real servers).

#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "holobroker/events/event_subscriber.hpp"

namespace holobroker::test {

struct collected_events {
  std::mutex mtx;
  std::vector<wire::event> events;

  std::size_t size() {
    std::lock_guard<std::mutex> guard{mtx};
    return events.size();
  }

  /// Everything collected so far (and forgets it).
  std::vector<wire::event> take() {
    std::lock_guard<std::mutex> guard{mtx};
    return std::exchange(events, {});
  }
};

/// A sink that appends every event it is sent to `out`.
inline events::event_sink_actor spawn_collector(caf::actor_system& sys,
                                                std::shared_ptr<collected_events> out) {
  auto fn = [](events::event_sink_actor::pointer, std::shared_ptr<collected_events> out)
    -> events::event_sink_actor::behavior_type {
    return {[out](client::event_atom, const wire::event& ev) {
      std::lock_guard<std::mutex> guard{out->mtx};
      out->events.push_back(ev);
    }};
  };
  return sys.spawn(fn, std::move(out));
}

} // namespace holobroker::test
