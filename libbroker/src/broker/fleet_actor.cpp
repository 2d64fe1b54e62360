#include "holobroker/broker/fleet_actor.hpp"

#include <algorithm>
#include <limits>
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
#include "holobroker/config/shared_connection.hpp"
#include "holobroker/wire/address.hpp"

namespace holobroker::broker {

namespace {

caf::timespan to_timespan(config::seconds s) {
  return std::chrono::duration_cast<caf::timespan>(s);
}

struct thing_entry {
  config::thing_config cfg;
  std::string connection;      ///< key into fleet_state::connections
  std::string request_address; ///< resolved (IPC -> ipc://...)
  std::string event_address;
};

/// One connection per server identity: the Things of one server share it
/// (as hololinked's own client pool does), so 1 000 Things on 100 servers
/// cost 100 sockets, 100 handshakes and 100 monitors, not 1 000. What
/// differs between its Things travels as their thing_policy.
struct connection_entry {
  client::client_actor client;
  client::client_config cfg; ///< as spawned (connection-level settings)
  /// The Thing whose connection-level settings it was spawned with.
  config::thing_config settings;
  std::set<std::string> things;
  /// On retirement, requests in flight end by this (the largest deadline
  /// of any Thing it served).
  caf::timespan retire_limit{};
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
  std::map<std::string, connection_entry> connections; ///< by config::shared_connection_key
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

/// Ends a connection no Thing uses any more.
void end_connection(self_ptr self, const std::string& key, departure how) {
  auto& st = self->state;
  auto c = st.connections.find(key);
  if (c == st.connections.end() || !c->second.things.empty())
    return;
  if (how == departure::retire)
    retire_connection(self->system(), c->second.client, c->second.retire_limit);
  else
    self->send_exit(c->second.client, caf::exit_reason::user_shutdown);
  st.connections.erase(c);
}

/// After a reload's removals and additions: connections left without a
/// Thing retire. (Deferred so that a Thing changed on reload that keeps
/// its connection key keeps its connection instead of a second socket with
/// the same identity racing the first.)
void end_idle_connections(self_ptr self) {
  std::vector<std::string> idle;
  for (const auto& [key, c] : self->state.connections)
    if (c.things.empty())
      idle.push_back(key);
  for (const auto& key : idle)
    end_connection(self, key, departure::retire);
}

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
  if (auto c = st.connections.find(i->second.connection); c != st.connections.end()) {
    c->second.things.erase(thing_id);
    c->second.cfg.thing_policies.erase(thing_id);
    if (!c->second.things.empty())
      self->send(c->second.client, delete_atom_v, thing_id);
    else if (how == departure::close)
      end_connection(self, c->first, how);
    // else: retired by end_idle_connections after the reload's additions
  }
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

/// The connection for `thing` (`ccfg` = its client configuration): the
/// one its server already has, or a new one.
client::client_actor connect(self_ptr self, const config::thing_config& thing,
                             client::client_config ccfg, const std::string& key) {
  auto& st = self->state;
  auto policy = ccfg.policy_for(thing.thing_id);
  auto limit = std::chrono::duration_cast<caf::timespan>(thing.effective_deadline()
                                                         + thing.deadline_margin);
  auto i = st.connections.find(key);
  if (i != st.connections.end() && config::connection_setting_mismatch(i->second.settings, thing)) {
    // The parser makes the Things of one connection agree on these, but
    // they can change on reload: the connection is made anew, with the
    // Things it served.
    spdlog::warn("fleet: connection settings of server {} changed with Thing {}: reconnecting "
                 "its {} other Thing(s)",
                 thing.server_id, thing.thing_id, i->second.things.size());
    auto old = std::move(i->second);
    st.connections.erase(i);
    retire_connection(self->system(), old.client, old.retire_limit);
    for (const auto& [id, p] : old.cfg.thing_policies)
      ccfg.thing_policies.insert_or_assign(id, p);
    auto& entry = st.connections[key];
    entry.cfg = ccfg;
    entry.settings = thing;
    entry.things = std::move(old.things);
    entry.retire_limit = old.retire_limit;
    entry.client = client::spawn_client(self->system(), ccfg, st.transports);
    for (const auto& id : entry.things)
      if (auto t = st.things.find(id); t != st.things.end())
        st.directory.put(client::thing_route{id, entry.client, t->second.cfg.server_id,
                                             ccfg.client_id});
    i = st.connections.find(key);
  } else if (i == st.connections.end()) {
    auto& entry = st.connections[key];
    entry.cfg = ccfg;
    entry.settings = thing;
    entry.client = client::spawn_client(self->system(), ccfg, st.transports);
    i = st.connections.find(key);
  } else {
    self->send(i->second.client, put_atom_v, thing.thing_id, policy);
  }
  auto& entry = i->second;
  entry.cfg.thing_policies.insert_or_assign(thing.thing_id, policy);
  entry.things.insert(thing.thing_id);
  entry.retire_limit = std::max(entry.retire_limit, limit);
  return entry.client;
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
  auto key = config::shared_connection_key(thing, st.running.temp_dir);
  if (!key) { // make_client_config resolved the same address: a guard
    spdlog::error("fleet: cannot connect Thing {}: {}", thing.thing_id, key.error());
    return;
  }
  auto client = connect(self, thing, *ccfg, *key);
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
  st.things.insert_or_assign(thing.thing_id, thing_entry{thing, *key, ccfg->address, *events});
  spdlog::info("fleet: Thing {} on server {} at {} (client id {})", thing.thing_id,
               thing.server_id, ccfg->address, ccfg->client_id);
}

std::string apply_config(self_ptr self, const config::broker_config& next) {
  auto& st = self->state;
  auto plan = plan_reload(st.running, next);
  for (const auto& key : plan.needs_restart)
    spdlog::warn("reload: {}", to_string(key));
  auto keep = st.running;
  // Things are (re)connected with the new temp_dir only if it was unchanged;
  // broker-level settings stay as running until a restart.
  config::broker_config merged = keep;
  merged.things = next.things;
  merged.drain_grace = next.drain_grace;
  merged.logging = next.logging;
  // Positions are of the file as last read (the one an operator edits).
  merged.source = next.source;
  for (const auto& id : plan.removed)
    remove_thing(self, id, departure::retire);
  for (const auto& thing : plan.changed)
    remove_thing(self, thing.thing_id, departure::retire, true);
  st.running = merged;
  for (const auto& thing : plan.changed)
    add_thing(self, thing);
  for (const auto& thing : plan.added)
    add_thing(self, thing);
  end_idle_connections(self);
  st.directory.publish(self);
  return to_string(plan);
}

} // namespace

expected<client::client_config, std::string>
make_client_config(const config::thing_config& thing, const std::string& temp_dir) {
  auto ep = wire::resolve_endpoints(thing.address, thing.server_id, temp_dir);
  if (!ep)
    return unexpected<std::string>{"things." + thing.thing_id + ".address: " + ep.error()};
  client::client_config cfg;
  cfg.client_id = thing.client_id;
  cfg.server_id = thing.server_id;
  cfg.address = ep->request_address;
  cfg.handshake_timeout = to_timespan(thing.handshake_timeout);
  cfg.deadline_margin = to_timespan(thing.deadline_margin);
  cfg.default_deadline = to_timespan(thing.effective_deadline());
  // The connection may be shared by the Things of its server; each Thing
  // is bounded by its own max_in_flight (its policy), so the connection
  // needs no bound of its own beyond what its Things' bounds add up to.
  cfg.max_in_flight = std::numeric_limits<std::size_t>::max();
  cfg.wait_for_reconnect = thing.while_disconnected == config::while_disconnected_policy::wait;
  client::thing_policy policy;
  policy.retry_reads_after_reconnect
    = thing.on_disconnect == config::on_disconnect_policy::retry_idempotent;
  policy.max_in_flight = thing.max_in_flight;
  policy.own_deadlines = true;
  policy.default_deadline = cfg.default_deadline;
  policy.deadline_margin = cfg.deadline_margin;
  cfg.thing_policies.insert_or_assign(thing.thing_id, policy);
  return cfg;
}

expected<std::string, std::string> event_address_of(const config::thing_config& thing,
                                                    const std::string& temp_dir) {
  if (!thing.event_address.empty())
    return thing.event_address;
  auto ep = wire::resolve_endpoints(thing.address, thing.server_id, temp_dir);
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
      [](get_atom, peers_atom) { return std::vector<peer_info>{}; },
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
        // One status request per connection, shared by the Things it serves.
        std::map<std::string, std::vector<std::size_t>> by_connection;
        std::size_t index = 0;
        for (const auto& [id, entry] : st.things)
          by_connection[entry.connection].push_back(index++);
        acc->pending = by_connection.size();
        if (acc->pending == 0) {
          acc->rp.deliver(std::move(acc->things));
          return acc->rp;
        }
        for (auto& [key, indices] : by_connection) {
          auto done = [acc] {
            if (--acc->pending == 0)
              acc->rp.deliver(std::move(acc->things));
          };
          auto c = st.connections.find(key);
          if (c == st.connections.end()) {
            done();
            continue;
          }
          // A connection that does not answer in time is reported without
          // its status rather than holding up the whole answer.
          self->request(c->second.client, std::chrono::seconds{2}, get_atom_v, status_atom_v)
            .then(
              [acc, indices = std::move(indices), done](const client::client_status& cs) {
                for (auto i : indices)
                  acc->things[i].connection = cs;
                done();
              },
              [done](const caf::error&) { done(); });
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
