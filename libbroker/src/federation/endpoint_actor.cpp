// The exporting side of federation: hands this broker's own Things to the
// peer brokers that follow it (federation.hpp).

#include <vector>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "holobroker/federation/federation.hpp"

namespace holobroker::federation {

namespace {

struct endpoint_state {
  std::string broker_id;
  client::directory_actor fleet;
  client::thing_directory current;
  /// Remote followers, held strongly (their proxies are what connects us)
  /// and monitored: a peer that goes away is forgotten.
  std::vector<client::directory_follower> followers;

  static inline const char* name = "holobroker.federation.endpoint";
};

using self_ptr = endpoint_actor::stateful_pointer<endpoint_state>;

/// The fleet's snapshot as a peer sees it: every route stamped with this
/// broker's id. The fleet holds only this broker's own Things, so nothing a
/// peer exported ever goes back out.
client::thing_directory stamped(const client::thing_directory& local, const std::string& id) {
  client::thing_directory::map_type routes;
  for (const auto& [thing, route] : local.routes()) {
    if (!route.origin.empty())
      continue; // never re-export
    auto r = route;
    r.origin = id;
    routes.emplace(thing, std::move(r));
  }
  return client::thing_directory{local.version(), std::move(routes)};
}

} // namespace

endpoint_actor spawn_endpoint(caf::actor_system& sys, std::string broker_id,
                              client::directory_actor fleet) {
  auto init = [](self_ptr self, std::string broker_id,
                 client::directory_actor fleet) -> endpoint_actor::behavior_type {
    auto& st = self->state;
    st.broker_id = std::move(broker_id);
    st.fleet = std::move(fleet);
    self->send(st.fleet, client::watch_atom_v);
    self->set_down_handler([self](const caf::down_msg& dm) {
      auto& fs = self->state.followers;
      for (auto i = fs.begin(); i != fs.end();)
        if (i->address() == dm.source) {
          spdlog::info("federation: a peer broker stopped following (node {}): {}",
                       caf::to_string(dm.source.node()), self->system().render(dm.reason));
          i = fs.erase(i);
        } else {
          ++i;
        }
    });
    return {
      [self](client::watch_atom) {
        auto& st = self->state;
        auto hdl = caf::actor_cast<client::directory_follower>(self->current_sender());
        if (!hdl)
          return;
        self->monitor(hdl);
        st.followers.push_back(hdl);
        spdlog::info("federation: a peer broker follows {} Things (node {})",
                     st.current.size(), caf::to_string(hdl.node()));
        if (st.current.version() > 0)
          self->send(hdl, put_atom_v, st.current);
      },
      [self](ping_atom, const std::string&) { return self->state.broker_id; },
      [self](put_atom, const client::thing_directory& next) {
        auto& st = self->state;
        if (self->current_sender() != caf::actor_cast<caf::strong_actor_ptr>(st.fleet))
          return;
        st.current = stamped(next, st.broker_id);
        for (const auto& f : st.followers)
          self->send(f, put_atom_v, st.current);
      },
    };
  };
  return sys.spawn(init, std::move(broker_id), std::move(fleet));
}

} // namespace holobroker::federation
