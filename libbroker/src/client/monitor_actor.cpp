#include "monitor_actor.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/local_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "wake.hpp"

namespace holobroker::client {

namespace {

struct monitor_state {
  static inline const char* name = "holobroker.monitor";
  caf::weak_actor_ptr client;
  std::shared_ptr<transport::link_monitor> monitor;
  wake_flag wake;
};

caf::behavior monitor_actor(caf::stateful_actor<monitor_state>* self, caf::weak_actor_ptr client,
                            std::shared_ptr<transport::link_monitor> monitor) {
  auto& st = self->state;
  st.client = std::move(client);
  st.monitor = std::move(monitor);
  st.monitor->watch(st.wake.callback_for(caf::actor_cast<caf::weak_actor_ptr>(self)));
  return {
    [self](readable_atom) {
      auto& st = self->state;
      st.wake.clear();
      auto strong = st.client.lock();
      if (!strong) {
        self->quit();
        return;
      }
      auto client = caf::actor_cast<client_actor_impl>(strong);
      while (auto ev = st.monitor->next())
        self->send(client, link_atom_v, std::move(*ev));
    },
  };
}

} // namespace

caf::actor spawn_monitor_actor(caf::local_actor* parent, caf::weak_actor_ptr client,
                               std::shared_ptr<transport::link_monitor> monitor) {
  return parent->spawn(monitor_actor, std::move(client), std::move(monitor));
}

} // namespace holobroker::client
