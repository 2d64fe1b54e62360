#include "holobroker/broker/fleet_actor.hpp"

#include <map>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "client/directory_publisher.hpp"
#include "connection_retirement.hpp"
#include "holobroker/broker/reload_plan.hpp"
#include "holobroker/client/client_actor.hpp"
#include "holobroker/client/error.hpp"
#include "holobroker/events/event_subscriber.hpp"
#include "holobroker/transport/address.hpp"

namespace holobroker::broker {

namespace {

caf::timespan to_timespan(config::seconds s) {
  return std::chrono::duration_cast<caf::timespan>(s);
}

struct thing_entry {
  config::thing_config cfg;
  client::client_actor client;
  std::string request_address; ///< resolved (IPC -> ipc://...)
  std::string event_address;
};

struct subscriber_entry {
  events::event_subscriber_actor actor;
  std::set<std::string> things;
};

struct fleet_state {
  config::broker_config running;
  client::directory_publisher directory; ///< the one "Thing -> connection" map
  fanin_actor fanin;
  std::shared_ptr<transport::transport_factory> transports;
  std::map<std::string, thing_entry> things;
  std::map<std::string, subscriber_entry> subscribers; ///< by event address
  std::uint64_t reloads = 0;

  static inline const char* name = "holobroker.fleet";
};

using self_ptr = fleet_actor::stateful_pointer<fleet_state>;

/// How a Thing's connection goes when the Thing leaves the fleet.
enum class departure {
  retire, ///< reload: requests in flight may finish (connection_retirement.hpp)
  close,  ///< shutdown: at once; the front end already answered them all
};

void remove_thing(self_ptr self, const std::string& thing_id, departure how,
                  bool keep_route = false) {
  auto& st = self->state;
  auto i = st.things.find(thing_id);
  if (i == st.things.end())
    return;
  // A changed Thing keeps its route: add_thing re-maps it to the new
  // connection before the next snapshot, so no request sees an unknown Thing.
  if (!keep_route)
    st.directory.erase(thing_id);
  // The fan-in ends the upstream subscriptions on the old source; local
  // demand stays and is subscribed again when the Thing comes back.
  self->send(st.fanin, delete_atom_v, thing_id);
  if (how == departure::retire)
    retire_connection(self->system(), i->second.client,
                      std::chrono::duration_cast<caf::timespan>(
                        i->second.cfg.effective_deadline() + i->second.cfg.deadline_margin));
  else
    self->send_exit(i->second.client, caf::exit_reason::user_shutdown);
  if (auto s = st.subscribers.find(i->second.event_address); s != st.subscribers.end()) {
    s->second.things.erase(thing_id);
    if (s->second.things.empty()) {
      self->send_exit(s->second.actor, caf::exit_reason::user_shutdown);
      st.subscribers.erase(s);
    }
  }
  st.things.erase(i);
  spdlog::info("fleet: removed Thing {}", thing_id);
}

/// Connects one Thing; a Thing whose address does not resolve is logged and
/// left out (the configuration parser already rejects such addresses).
void add_thing(self_ptr self, const config::thing_config& thing) {
  auto& st = self->state;
  auto ccfg = make_client_config(thing, st.running.temp_dir);
  auto events = event_address_of(thing, st.running.temp_dir);
  if (!ccfg || !events) {
    spdlog::error("fleet: cannot connect Thing {}: {}", thing.thing_id,
                  !ccfg ? ccfg.error() : events.error());
    return;
  }
  auto client = client::spawn_client(self->system(), *ccfg, st.transports);
  auto& sub = st.subscribers[*events];
  if (!sub.actor) {
    events::event_subscriber_config scfg{thing.server_id, *events};
    sub.actor = events::spawn_event_subscriber(self->system(), scfg, st.transports);
  }
  st.directory.put(client::thing_route{thing.thing_id, client, thing.server_id, ccfg->client_id,
                                       {}, ccfg->default_deadline, sub.actor});
  sub.things.insert(thing.thing_id);
  self->send(st.fanin, last_atom_v, thing.thing_id, thing.last_value_all,
             std::set<std::string>(thing.last_value_events.begin(), thing.last_value_events.end()));
  self->send(st.fanin, put_atom_v, thing.thing_id, sub.actor);
  for (const auto& ev : thing.events)
    self->send(st.fanin, subscribe_atom_v, thing.thing_id, ev);
  st.things.insert_or_assign(thing.thing_id, thing_entry{thing, client, ccfg->address, *events});
  spdlog::info("fleet: Thing {} on server {} at {} (client id {})", thing.thing_id,
               thing.server_id, ccfg->address, ccfg->client_id);
}

std::string apply_config(self_ptr self, const config::broker_config& next) {
  auto& st = self->state;
  auto plan = plan_reload(st.running, next);
  for (const auto& key : plan.needs_restart)
    spdlog::warn("reload: {} changed; it takes effect only after a restart", key);
  auto keep = st.running;
  // Things are (re)connected with the new temp_dir only if it was unchanged;
  // broker-level settings stay as running until a restart.
  config::broker_config merged = keep;
  merged.things = next.things;
  merged.drain_grace = next.drain_grace;
  merged.logging = next.logging;
  for (const auto& id : plan.removed)
    remove_thing(self, id, departure::retire);
  for (const auto& thing : plan.changed)
    remove_thing(self, thing.thing_id, departure::retire, true);
  st.running = merged;
  for (const auto& thing : plan.changed)
    add_thing(self, thing);
  for (const auto& thing : plan.added)
    add_thing(self, thing);
  st.directory.publish(self);
  return to_string(plan);
}

} // namespace

expected<client::client_config, std::string>
make_client_config(const config::thing_config& thing, const std::string& temp_dir) {
  auto ep = transport::resolve_endpoints(thing.address, thing.server_id, temp_dir);
  if (!ep)
    return unexpected<std::string>{"things." + thing.thing_id + ".address: " + ep.error()};
  client::client_config cfg;
  cfg.client_id = thing.client_id;
  cfg.server_id = thing.server_id;
  cfg.address = ep->request_address;
  cfg.handshake_timeout = to_timespan(thing.handshake_timeout);
  cfg.deadline_margin = to_timespan(thing.deadline_margin);
  cfg.default_deadline = to_timespan(thing.effective_deadline());
  cfg.max_in_flight = thing.max_in_flight;
  cfg.wait_for_reconnect = thing.while_disconnected == config::while_disconnected_policy::wait;
  cfg.default_thing_policy.retry_reads_after_reconnect
    = thing.on_disconnect == config::on_disconnect_policy::retry_idempotent;
  return cfg;
}

expected<std::string, std::string> event_address_of(const config::thing_config& thing,
                                                    const std::string& temp_dir) {
  if (!thing.event_address.empty())
    return thing.event_address;
  auto ep = transport::resolve_endpoints(thing.address, thing.server_id, temp_dir);
  if (!ep)
    return unexpected<std::string>{"things." + thing.thing_id + ".address: " + ep.error()};
  return ep->event_address;
}

fleet_actor spawn_fleet(caf::actor_system& sys, config::broker_config initial, fanin_actor fanin,
                        std::shared_ptr<transport::transport_factory> transports) {
  auto init = [](self_ptr self, config::broker_config initial, fanin_actor fanin,
                 std::shared_ptr<transport::transport_factory> transports)
    -> fleet_actor::behavior_type {
    auto& st = self->state;
    st.fanin = std::move(fanin);
    st.transports = std::move(transports);
    st.running = initial;
    st.running.things.clear();
    apply_config(self, initial);
    return {
      [self](client::watch_atom) { self->state.directory.follow(self); },
      [self](get_atom, client::watch_atom) { return self->state.directory.current(); },
      [self](get_atom, things_atom) -> caf::result<std::vector<thing_info>> {
        auto& st = self->state;
        struct collect {
          std::vector<thing_info> things;
          std::size_t pending = 0;
          caf::typed_response_promise<std::vector<thing_info>> rp;
        };
        auto acc = std::make_shared<collect>();
        acc->rp = self->make_response_promise<std::vector<thing_info>>();
        for (const auto& [id, entry] : st.things)
          acc->things.push_back(thing_info{id, entry.cfg.server_id, entry.request_address,
                                           entry.event_address, entry.cfg.client_id, {}});
        acc->pending = st.things.size();
        if (acc->pending == 0) {
          acc->rp.deliver(std::move(acc->things));
          return acc->rp;
        }
        std::size_t index = 0;
        for (const auto& [id, entry] : st.things) {
          auto done = [acc] {
            if (--acc->pending == 0)
              acc->rp.deliver(std::move(acc->things));
          };
          // A connection that does not answer in time is reported without
          // its status rather than holding up the whole answer.
          self->request(entry.client, std::chrono::seconds{2}, get_atom_v, status_atom_v)
            .then(
              [acc, index, done](const client::client_status& cs) {
                acc->things[index].connection = cs;
                done();
              },
              [done](const caf::error&) { done(); });
          ++index;
        }
        return acc->rp;
      },
      [self](reload_atom, const config::broker_config& next) {
        auto summary = apply_config(self, next);
        ++self->state.reloads;
        spdlog::info("reload: {}", summary);
        return summary;
      },
      [self](get_atom, reload_atom) { return self->state.reloads; },
      [self](close_atom) {
        auto& st = self->state;
        std::vector<std::string> ids;
        for (const auto& [id, entry] : st.things)
          ids.push_back(id);
        for (const auto& id : ids)
          remove_thing(self, id, departure::close);
        st.directory.publish(self);
      },
    };
  };
  return sys.spawn(init, std::move(initial), std::move(fanin), std::move(transports));
}

} // namespace holobroker::broker
