#include "holobroker/client/router_actor.hpp"

#include <algorithm>
#include <memory>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "holobroker/client/error.hpp"
#include "holobroker/client/type_ids.hpp"

namespace holobroker::client {

namespace {

struct router_state {
  // Not an aggregate: CAF would construct the state from the actor pointer.
  router_state() = default;
  static inline const char* name = "holobroker.router";
  directory_actor source;
  thing_directory directory;
  bool have_directory = false;
  /// Requests that arrived before the first snapshot (answered once it came).
  std::vector<std::pair<operation_request, caf::typed_response_promise<operation_reply>>>
    early;
};

using router_self = router_actor::stateful_pointer<router_state>;

/// Collects one outcome per part and delivers them all at once.
template <class Outcome>
struct gather {
  caf::typed_response_promise<std::vector<Outcome>> promise;
  std::vector<Outcome> outcomes;
  std::size_t missing = 0;

  void add(Outcome x, bool (*less)(const Outcome&, const Outcome&)) {
    outcomes.push_back(std::move(x));
    if (--missing == 0) {
      std::sort(outcomes.begin(), outcomes.end(), less);
      promise.deliver(std::move(outcomes));
    }
  }
};

bool by_thing(const thing_outcome& a, const thing_outcome& b) { return a.thing_id < b.thing_id; }
bool by_server(const ping_outcome& a, const ping_outcome& b) { return a.server_id < b.server_id; }

void route(router_self self, operation_request req,
           caf::typed_response_promise<operation_reply> rp) {
  const auto* r = self->state.directory.find(req.thing_id);
  if (r == nullptr) {
    rp.deliver(make_error(client_errc::unknown_thing,
                          "no connection serves Thing '" + req.thing_id + "'"));
    return;
  }
  rp.delegate(r->client, execute_atom_v, std::move(req));
}

void flush_early(router_self self) {
  auto& st = self->state;
  st.have_directory = true;
  auto early = std::move(st.early);
  st.early.clear();
  for (auto& [req, rp] : early)
    route(self, std::move(req), rp);
}

router_actor::behavior_type router_fn(router_self self, directory_actor source) {
  self->state.source = source;
  // If the source goes before its first snapshot came, waiting requests are
  // answered by the (empty) directory rather than left hanging.
  self->monitor(source);
  self->set_down_handler([self](const caf::down_msg& dm) {
    if (dm.source != self->state.source.address())
      return;
    spdlog::warn("[router] the directory's owner is gone; routing by the last snapshot "
                 "({} Things)",
                 self->state.directory.size());
    if (!self->state.have_directory)
      flush_early(self);
  });
  self->send(source, watch_atom_v);
  return {
    [self](put_atom, thing_directory& next) {
      auto& st = self->state;
      if (self->current_sender() != caf::actor_cast<caf::strong_actor_ptr>(st.source)) {
        spdlog::warn("[router] refused a directory from {}: only its owner may change it",
                     caf::to_string(self->current_sender()));
        return;
      }
      st.directory = std::move(next);
      if (!st.have_directory)
        flush_early(self);
    },
    [self](execute_atom, operation_request& req) -> caf::result<operation_reply> {
      auto rp = self->make_response_promise<operation_reply>();
      if (self->state.have_directory)
        route(self, std::move(req), rp);
      else
        self->state.early.emplace_back(std::move(req), rp);
      return rp;
    },
    [self](execute_atom, all_atom,
           const operation_request& req) -> caf::result<std::vector<thing_outcome>> {
      const auto& routes = self->state.directory.routes();
      auto rp = self->make_response_promise<std::vector<thing_outcome>>();
      if (routes.empty()) {
        rp.deliver(std::vector<thing_outcome>{});
        return rp;
      }
      auto g = std::make_shared<gather<thing_outcome>>();
      g->promise = rp;
      g->missing = routes.size();
      for (const auto& [thing, r] : routes) {
        auto part = req;
        part.thing_id = thing;
        self->request(r.client, caf::infinite, execute_atom_v, std::move(part))
          .then(
            [g, thing = thing](operation_reply& reply) {
              g->add(thing_outcome{thing, true, std::move(reply), {}}, by_thing);
            },
            [g, thing = thing](caf::error& err) {
              g->add(thing_outcome{thing, false, {}, std::move(err)}, by_thing);
            });
      }
      return rp;
    },
    [self](ping_atom, all_atom) -> caf::result<std::vector<ping_outcome>> {
      // One ping per connection, however many Things it serves.
      std::vector<const thing_route*> connections;
      std::set<caf::actor_addr> seen;
      for (const auto& [thing, r] : self->state.directory.routes())
        if (seen.insert(r.client.address()).second)
          connections.push_back(&r);
      auto rp = self->make_response_promise<std::vector<ping_outcome>>();
      if (connections.empty()) {
        rp.deliver(std::vector<ping_outcome>{});
        return rp;
      }
      auto g = std::make_shared<gather<ping_outcome>>();
      g->promise = rp;
      g->missing = connections.size();
      for (const auto* r : connections) {
        auto server = r->server_id;
        auto client = r->client_id;
        self->request(r->client, caf::infinite, ping_atom_v)
          .then(
            [g, server, client](caf::timespan rtt) {
              g->add(ping_outcome{server, client, true, rtt, {}}, by_server);
            },
            [g, server, client](caf::error& err) {
              g->add(ping_outcome{server, client, false, caf::timespan{0}, std::move(err)},
                     by_server);
            });
      }
      return rp;
    },
    [self](get_atom, things_atom) {
      std::vector<std::string> out;
      for (const auto& [thing, r] : self->state.directory.routes())
        out.push_back(thing);
      return out;
    },
  };
}

} // namespace

router_actor spawn_router(caf::actor_system& sys, directory_actor source) {
  return sys.spawn(router_fn, std::move(source));
}

} // namespace holobroker::client
