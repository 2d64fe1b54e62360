#include "holobroker/client/router_actor.hpp"

#include <algorithm>
#include <map>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "holobroker/client/error.hpp"
#include "holobroker/client/type_ids.hpp"

namespace holobroker::client {

namespace {

struct connection {
  client_actor handle;
  bool owned = false; ///< spawned by the router, shut down with its last Thing
  std::string server_id;
  std::string client_id;
};

struct router_state {
  static inline const char* name = "holobroker.router";
  std::shared_ptr<transport::transport_factory> factory;
  std::map<std::string, client_actor> things;     ///< Thing id -> client
  std::map<caf::actor_addr, connection> clients; ///< every client in use

  std::size_t things_of(const caf::actor_addr& addr) const {
    return static_cast<std::size_t>(std::count_if(
      things.begin(), things.end(), [&](const auto& kv) { return kv.second.address() == addr; }));
  }

  void release_if_unused(const caf::actor_addr& addr) {
    auto i = clients.find(addr);
    if (i == clients.end() || things_of(addr) > 0)
      return;
    if (i->second.owned) {
      spdlog::info("[router] closing the connection to server {} (no Thing left)",
                   i->second.server_id);
      caf::anon_send_exit(i->second.handle, caf::exit_reason::user_shutdown);
    }
    clients.erase(i);
  }

  void map(const std::string& thing, const client_actor& hdl) {
    auto old = things.find(thing);
    if (old != things.end() && old->second != hdl) {
      spdlog::warn("[router] Thing {} moves to another connection", thing);
      auto prev = old->second.address();
      old->second = hdl;
      release_if_unused(prev);
      return;
    }
    things[thing] = hdl;
  }
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

router_actor::behavior_type router_fn(router_self self,
                                      std::shared_ptr<transport::transport_factory> factory) {
  self->state.factory = std::move(factory);
  self->set_down_handler([self](const caf::down_msg& dm) {
    auto& st = self->state;
    for (auto i = st.things.begin(); i != st.things.end();)
      i = i->second.address() == dm.source ? st.things.erase(i) : std::next(i);
    st.clients.erase(dm.source);
  });
  return {
    [self](execute_atom, operation_request& req) -> caf::result<operation_reply> {
      auto& st = self->state;
      auto i = st.things.find(req.thing_id);
      if (i == st.things.end())
        return make_error(client_errc::unknown_thing,
                          "no connection serves Thing '" + req.thing_id + "'");
      return self->delegate(i->second, execute_atom_v, std::move(req));
    },
    [self](execute_atom, all_atom,
           const operation_request& req) -> caf::result<std::vector<thing_outcome>> {
      auto& st = self->state;
      auto rp = self->make_response_promise<std::vector<thing_outcome>>();
      if (st.things.empty()) {
        rp.deliver(std::vector<thing_outcome>{});
        return rp;
      }
      auto g = std::make_shared<gather<thing_outcome>>();
      g->promise = rp;
      g->missing = st.things.size();
      for (auto& [thing, hdl] : st.things) {
        auto part = req;
        part.thing_id = thing;
        self->request(hdl, caf::infinite, execute_atom_v, std::move(part))
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
      auto& st = self->state;
      auto rp = self->make_response_promise<std::vector<ping_outcome>>();
      if (st.clients.empty()) {
        rp.deliver(std::vector<ping_outcome>{});
        return rp;
      }
      auto g = std::make_shared<gather<ping_outcome>>();
      g->promise = rp;
      g->missing = st.clients.size();
      for (auto& [addr, conn] : st.clients) {
        auto server = conn.server_id;
        auto client = conn.client_id;
        self->request(conn.handle, caf::infinite, ping_atom_v)
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
    [self](add_atom, client_config& cfg, const std::vector<std::string>& things) {
      auto& st = self->state;
      if (cfg.client_id.empty())
        cfg.client_id = make_client_id(cfg.server_id);
      auto server = cfg.server_id;
      auto client = cfg.client_id;
      auto hdl = spawn_client(self->home_system(), std::move(cfg), st.factory);
      self->monitor(hdl);
      st.clients.emplace(hdl.address(), connection{hdl, true, server, client});
      for (auto& thing : things)
        st.map(thing, hdl);
      spdlog::info("[router] connection {} to server {} serves {} Thing(s)", client, server,
                   things.size());
      return hdl;
    },
    [self](add_atom, const std::string& thing, const client_actor& hdl) {
      auto& st = self->state;
      if (!hdl)
        return;
      if (st.clients.count(hdl.address()) == 0) {
        self->monitor(hdl);
        st.clients.emplace(hdl.address(), connection{hdl, false, {}, {}});
      }
      st.map(thing, hdl);
    },
    [self](delete_atom, const std::string& thing) {
      auto& st = self->state;
      auto i = st.things.find(thing);
      if (i == st.things.end())
        return;
      auto addr = i->second.address();
      st.things.erase(i);
      st.release_if_unused(addr);
    },
    [self](get_atom, things_atom) {
      std::vector<std::string> out;
      for (auto& [thing, hdl] : self->state.things)
        out.push_back(thing);
      return out;
    },
  };
}

} // namespace

router_actor spawn_router(caf::actor_system& sys,
                          std::shared_ptr<transport::transport_factory> transports) {
  return sys.spawn(router_fn, std::move(transports));
}

} // namespace holobroker::client
