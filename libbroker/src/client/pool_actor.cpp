#include "holobroker/client/pool_actor.hpp"

#include <map>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "client/directory_publisher.hpp"
#include "holobroker/client/type_ids.hpp"

namespace holobroker::client {

namespace {

struct connection {
  client_actor handle;
  bool owned = false; ///< spawned by the pool, shut down with its last Thing
  std::string server_id;
  std::string client_id;
};

struct pool_state {
  // Not an aggregate: CAF would construct the state from the actor pointer.
  pool_state() = default;
  static inline const char* name = "holobroker.pool";
  std::shared_ptr<transport::transport_factory> factory;
  directory_publisher directory;
  std::map<caf::actor_addr, connection> clients; ///< every client in use

  bool serves_any(const caf::actor_addr& addr) const {
    for (const auto& [thing, r] : directory.pending())
      if (r.client.address() == addr)
        return true;
    return false;
  }

  void release_if_unused(const caf::actor_addr& addr) {
    auto i = clients.find(addr);
    if (i == clients.end() || serves_any(addr))
      return;
    if (i->second.owned) {
      spdlog::info("[pool] closing the connection to server {} (no Thing left)",
                   i->second.server_id);
      caf::anon_send_exit(i->second.handle, caf::exit_reason::user_shutdown);
    }
    clients.erase(i);
  }

  void map(const std::string& thing, const connection& c) {
    const auto& pending = directory.pending();
    auto old = pending.find(thing);
    caf::actor_addr previous;
    if (old != pending.end() && old->second.client != c.handle) {
      spdlog::warn("[pool] Thing {} moves to another connection", thing);
      previous = old->second.client.address();
    }
    directory.put(thing_route{thing, c.handle, c.server_id, c.client_id});
    if (previous)
      release_if_unused(previous);
  }
};

using pool_self = pool_actor::stateful_pointer<pool_state>;

pool_actor::behavior_type pool_fn(pool_self self,
                                  std::shared_ptr<transport::transport_factory> factory) {
  self->state.factory = std::move(factory);
  self->set_down_handler([self](const caf::down_msg& dm) {
    auto& st = self->state;
    std::vector<std::string> gone;
    for (const auto& [thing, r] : st.directory.pending())
      if (r.client.address() == dm.source)
        gone.push_back(thing);
    for (const auto& thing : gone)
      st.directory.erase(thing);
    st.clients.erase(dm.source);
    st.directory.publish(self);
  });
  return {
    [self](watch_atom) { self->state.directory.follow(self); },
    [self](get_atom, watch_atom) { return self->state.directory.current(); },
    [self](add_atom, client_config& cfg, const std::vector<std::string>& things) {
      auto& st = self->state;
      if (cfg.client_id.empty())
        cfg.client_id = make_client_id(cfg.server_id);
      connection c{{}, true, cfg.server_id, cfg.client_id};
      c.handle = spawn_client(self->home_system(), std::move(cfg), st.factory);
      self->monitor(c.handle);
      st.clients.emplace(c.handle.address(), c);
      for (const auto& thing : things)
        st.map(thing, c);
      st.directory.publish(self);
      spdlog::info("[pool] connection {} to server {} serves {} Thing(s)", c.client_id,
                   c.server_id, things.size());
      return c.handle;
    },
    [self](add_atom, const std::string& thing, const client_actor& hdl) {
      auto& st = self->state;
      if (!hdl)
        return;
      auto i = st.clients.find(hdl.address());
      if (i == st.clients.end()) {
        self->monitor(hdl);
        i = st.clients.emplace(hdl.address(), connection{hdl, false, {}, {}}).first;
      }
      st.map(thing, i->second);
      st.directory.publish(self);
    },
    [self](delete_atom, const std::string& thing) {
      auto& st = self->state;
      auto i = st.directory.pending().find(thing);
      if (i == st.directory.pending().end())
        return;
      auto addr = i->second.client.address();
      st.directory.erase(thing);
      st.release_if_unused(addr);
      st.directory.publish(self);
    },
  };
}

} // namespace

pool_actor spawn_pool(caf::actor_system& sys,
                      std::shared_ptr<transport::transport_factory> transports) {
  return sys.spawn(pool_fn, std::move(transports));
}

} // namespace holobroker::client
