// The merged directory of a federated broker (federation.hpp): the local
// fleet's Things plus every peer's own Things, with the fleet's interface so
// that the front end and the router follow it exactly as they follow the
// fleet.

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "client/directory_publisher.hpp"
#include "holobroker/client/error.hpp"
#include "holobroker/federation/directory_merge.hpp"
#include "holobroker/federation/federation.hpp"

namespace holobroker::federation {

namespace {

/// Answers every request for a Thing that more than one peer claims with a
/// clear error: such a Thing is routed to nobody rather than at random.
client::client_actor spawn_conflict(caf::actor_system& sys, std::string thing, std::string who) {
  // Thing and claimants go in as spawn arguments, not captures: CAF 0.17
  // dereferences a null argument tuple when a function actor takes none
  // (UBSan: reference binding to null pointer in init_fun_factory).
  auto init = [](std::string thing, std::string who) -> client::client_actor::behavior_type {
    auto err = [thing, who] {
      // Not `unknown_thing`: the client should read who claims it.
      return client::make_error(client::client_errc::connection,
                                fmt::format("Thing '{}' is claimed by more than one peer broker "
                                            "({}); it is not routed until only one serves it",
                                            thing, who));
    };
    return {
      [err](client::execute_atom, const client::operation_request&)
        -> caf::result<client::operation_reply> { return err(); },
      [err](client::send_request_atom, const client::operation_request&)
        -> caf::result<std::string> { return err(); },
      [err](client::receive_response_atom, const std::string&)
        -> caf::result<client::operation_reply> { return err(); },
      [err](client::oneway_atom, const client::operation_request&)
        -> caf::result<std::string> { return err(); },
      [err](client::handshake_atom) -> caf::result<caf::timespan> { return err(); },
      [err](ping_atom) -> caf::result<caf::timespan> { return err(); },
      [](caf::get_atom, client::status_atom) { return client::client_status{}; },
      [](caf::put_atom, const std::string&, const client::thing_policy&) {},
      [](caf::delete_atom, const std::string&) {},
    };
  };
  return sys.spawn(init, std::move(thing), std::move(who));
}

struct conflict_entry {
  std::string who;             ///< "local and lab-b", "lab-b and lab-c"
  client::client_actor answer; ///< for peer-only conflicts: the refusing actor
};

struct federation_state {
  std::string broker_id;
  config::federation_config cfg;
  broker::fleet_actor fleet;
  broker::fanin_actor fanin;
  client::thing_directory local;
  peer_spawner spawn;
  std::map<std::string, peer_actor> peers;   ///< by address; the configured ones only
  /// Peers removed by a reload whose actors still finish requests in flight
  /// (monitored; forgotten when they quit). Not in `status`, not routed.
  std::vector<peer_actor> retired;
  std::map<std::string, peer_report> reports; ///< by address
  client::directory_publisher merged;
  std::map<std::string, conflict_entry> conflicts;
  /// Peer Things whose event subscriber was announced to the fan-in.
  std::map<std::string, events::event_subscriber_actor> announced;
  std::vector<caf::typed_response_promise<client::thing_directory>> waiting;

  // The peer actors end with this actor. Here, not in an attach_functor:
  // CAF destroys the state (on_exit) before it runs the attachables.
  ~federation_state() {
    for (auto& [address, p] : peers)
      caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
    for (auto& p : retired)
      caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
  }

  static inline const char* name = "holobroker.federation";
};

using self_ptr = federation_actor::stateful_pointer<federation_state>;

bool same_route(const client::thing_route& a, const client::thing_route& b) {
  return a.client == b.client && a.server_id == b.server_id && a.client_id == b.client_id
         && a.origin == b.origin && a.deadline == b.deadline && a.events == b.events
         && a.remote == b.remote && a.remote_bound == b.remote_bound;
}

/// Recomputes the merged directory; publishes it when a route changed.
void rebuild(self_ptr self) {
  auto& st = self->state;
  if (st.local.version() == 0)
    return; // the fleet's first snapshot is not here yet
  std::vector<const client::thing_directory*> peers;
  for (const auto& [address, r] : st.reports)
    peers.push_back(&r.directory);
  auto merged = merge_directories(st.local, peers);
  auto& next = merged.routes;
  std::map<std::string, conflict_entry> conflicts;
  for (const auto& [id, who] : merged.conflicts)
    conflicts[id].who = who;
  for (const auto& id : merged.unrouted) {
    // Routed to an actor that refuses every request, naming the claimants.
    auto& c = conflicts[id];
    if (auto old = st.conflicts.find(id);
        old != st.conflicts.end() && old->second.answer && old->second.who == c.who)
      c.answer = old->second.answer;
    else
      c.answer = spawn_conflict(self->system(), id, c.who);
    client::thing_route route;
    route.thing_id = id;
    route.client = c.answer;
    route.origin = c.who;
    next.insert_or_assign(id, std::move(route));
  }
  for (const auto& [id, c] : conflicts) {
    auto old = st.conflicts.find(id);
    if (old == st.conflicts.end() || old->second.who != c.who)
      spdlog::error("federation: Thing '{}' is claimed by {}: {}", id, c.who,
                    c.answer ? "not routed until only one broker serves it"
                             : "served by this broker's own connection");
  }
  for (const auto& [id, c] : st.conflicts)
    if (!conflicts.count(id))
      spdlog::info("federation: Thing '{}' is no longer claimed twice", id);
  st.conflicts = std::move(conflicts);
  // Only what changed: a ping does not make a new snapshot.
  // Collected first: erase() changes the map being walked.
  std::vector<std::string> gone;
  for (const auto& [id, route] : st.merged.pending())
    if (!next.count(id))
      gone.push_back(id);
  for (const auto& id : gone)
    st.merged.erase(id);
  for (auto& [id, route] : next) {
    const auto& pending = st.merged.pending();
    auto i = pending.find(id);
    if (i == pending.end() || !same_route(i->second, route))
      st.merged.put(route);
  }
  // Events: the fan-in subscribes at the peer's event subscriber of a
  // peer's Thing (on demand), as it does at a local one.
  std::map<std::string, events::event_subscriber_actor> announce;
  for (const auto& [id, route] : next)
    if (!route.origin.empty() && route.events && !st.conflicts.count(id))
      announce.emplace(id, route.events);
  for (const auto& [id, sub] : st.announced)
    if (!announce.count(id) && st.local.find(id) == nullptr)
      self->send(st.fanin, caf::delete_atom_v, id);
  for (const auto& [id, sub] : announce) {
    auto i = st.announced.find(id);
    if (i == st.announced.end() || i->second != sub)
      self->send(st.fanin, put_atom_v, id, sub);
  }
  st.announced = std::move(announce);
  st.merged.publish(self);
}

void add_peer(self_ptr self, const config::peer_config& peer) {
  auto& st = self->state;
  auto sink = caf::actor_cast<report_sink>(self);
  st.peers.emplace(peer.address(),
                   st.spawn(self->system(), settings_of(st.broker_id, st.cfg, peer), sink));
}

/// Applies `broker.peers` of a reloaded configuration (federation.hpp);
/// answers "peers +A -B (n unchanged)", or "" when the list is the same.
std::string apply_peers(self_ptr self, const config::federation_config& next) {
  auto& st = self->state;
  if (!next.enabled)
    return {}; // federation removed: only a restart applies it (reload_plan warns)
  std::set<std::string> wanted;
  for (const auto& peer : next.peers)
    wanted.insert(peer.address());
  std::vector<std::string> added, removed;
  std::size_t unchanged = 0;
  for (auto i = st.peers.begin(); i != st.peers.end();) {
    if (wanted.count(i->first)) {
      ++unchanged;
      ++i;
      continue;
    }
    // Its Things leave the merged directory now (rebuild below); the actor
    // refuses new requests and finishes the ones in flight (peer_actor.cpp).
    spdlog::info("federation: peer {} removed from broker.peers: its Things are no longer "
                 "offered",
                 i->first);
    self->send(i->second, retire_atom_v);
    self->monitor(i->second);
    st.retired.push_back(i->second);
    st.reports.erase(i->first);
    removed.push_back(i->first);
    i = st.peers.erase(i);
  }
  for (const auto& peer : next.peers) {
    if (st.peers.count(peer.address()))
      continue;
    spdlog::info("federation: peer {} added to broker.peers: connecting", peer.address());
    add_peer(self, peer);
    added.push_back(peer.address());
  }
  st.cfg.peers = next.peers;
  if (added.empty() && removed.empty())
    return {};
  rebuild(self);
  std::string out = "peers";
  for (const auto& a : added)
    out += " +" + a;
  for (const auto& r : removed)
    out += " -" + r;
  return out + fmt::format(" ({} unchanged)", unchanged);
}

broker::thing_info info_of(const federation_state& st, const client::thing_route& route) {
  broker::thing_info t;
  t.id = route.thing_id;
  t.server_id = route.server_id;
  t.client_id = route.client_id;
  t.origin = route.origin;
  if (auto c = st.conflicts.find(route.thing_id); c != st.conflicts.end()) {
    t.conflict = c->second.who;
    return t;
  }
  for (const auto& [address, r] : st.reports)
    if (r.directory.find(route.thing_id) != nullptr) {
      t.peer_address = address;
      t.peer_state = r.state;
      t.peer_rtt_ms = r.rtt_ms;
      t.address = "federation://" + address;
    }
  return t;
}

} // namespace

peer_settings settings_of(const std::string& broker_id, const config::federation_config& cfg,
                          const config::peer_config& peer) {
  auto span = [](config::seconds s) { return std::chrono::duration_cast<caf::timespan>(s); };
  peer_settings s;
  s.local_id = broker_id;
  s.peer = peer;
  s.tls = cfg.tls();
  s.reconnect_min = span(cfg.reconnect_min);
  s.reconnect_max = span(cfg.reconnect_max);
  s.ping_interval = span(cfg.ping_interval);
  s.deadline_margin = span(cfg.deadline_margin);
  return s;
}

federation_actor spawn_federation(caf::actor_system& sys, std::string broker_id,
                                  config::federation_config cfg, broker::fleet_actor fleet,
                                  broker::fanin_actor fanin, peer_spawner spawn) {
  auto init = [](self_ptr self, std::string broker_id, config::federation_config cfg,
                 broker::fleet_actor fleet, broker::fanin_actor fanin,
                 peer_spawner spawn) -> federation_actor::behavior_type {
    auto& st = self->state;
    st.broker_id = std::move(broker_id);
    st.cfg = std::move(cfg);
    st.fleet = std::move(fleet);
    st.fanin = std::move(fanin);
    st.spawn = spawn ? std::move(spawn) : peer_spawner{spawn_peer};
    self->send(st.fleet, client::watch_atom_v);
    for (const auto& peer : st.cfg.peers)
      add_peer(self, peer);
    self->set_down_handler([self](const caf::down_msg& dm) {
      auto& r = self->state.retired;
      r.erase(std::remove_if(r.begin(), r.end(),
                             [&](const peer_actor& p) { return p.address() == dm.source; }),
              r.end());
    });
    return {
      [self](put_atom, client::thing_directory& next) {
        auto& st = self->state;
        if (self->current_sender() != caf::actor_cast<caf::strong_actor_ptr>(st.fleet)
            || next.version() <= st.local.version())
          return;
        st.local = std::move(next);
        rebuild(self);
        for (auto& rp : st.waiting)
          rp.deliver(st.merged.current());
        st.waiting.clear();
      },
      [self](put_atom, peer_report& r) {
        auto& st = self->state;
        auto i = st.peers.find(r.address);
        if (i == st.peers.end()
            || self->current_sender() != caf::actor_cast<caf::strong_actor_ptr>(i->second))
          return;
        auto address = r.address;
        st.reports.insert_or_assign(address, std::move(r));
        rebuild(self);
      },
      [self](client::watch_atom) { self->state.merged.follow(self); },
      [self](caf::get_atom, client::watch_atom) -> caf::result<client::thing_directory> {
        auto& st = self->state;
        if (st.local.version() > 0)
          return st.merged.current();
        auto rp = self->make_response_promise<client::thing_directory>();
        st.waiting.push_back(rp);
        return rp;
      },
      [self](caf::get_atom, broker::peers_atom) {
        // Every configured peer, whether it offers Things or not (one that
        // has not reported yet is still connecting).
        auto& st = self->state;
        std::vector<broker::peer_info> out;
        for (const auto& [address, p] : st.peers) {
          broker::peer_info info;
          info.address = address;
          info.state = "connecting";
          if (auto r = st.reports.find(address); r != st.reports.end()) {
            info.broker_id = r->second.broker_id;
            info.state = r->second.state;
            info.rtt_ms = r->second.rtt_ms;
            info.last_error = r->second.last_error;
            info.connects = r->second.connects;
            info.things = r->second.directory.size();
          }
          out.push_back(std::move(info));
        }
        return out;
      },
      [self](caf::get_atom tag, broker::things_atom what)
        -> caf::result<std::vector<broker::thing_info>> {
        auto rp = self->make_response_promise<std::vector<broker::thing_info>>();
        self->request(self->state.fleet, std::chrono::seconds{5}, tag, what)
          .then(
            [self, rp](std::vector<broker::thing_info>& things) mutable {
              auto& st = self->state;
              for (auto& t : things)
                if (auto c = st.conflicts.find(t.id); c != st.conflicts.end())
                  t.conflict = c->second.who; // served here; also claimed elsewhere
              for (const auto& [id, route] : st.merged.current().routes())
                if (!route.origin.empty())
                  things.push_back(info_of(st, route));
              std::sort(things.begin(), things.end(),
                        [](const auto& a, const auto& b) { return a.id < b.id; });
              rp.deliver(std::move(things));
            },
            [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [self](broker::reload_atom tag,
             const config::broker_config& next) -> caf::result<std::string> {
        // Peers first: a removed peer's Things leave before the fleet's
        // reload can add a local Thing of the same id (no passing conflict).
        auto peers = apply_peers(self, next.federation);
        auto rp = self->make_response_promise<std::string>();
        self->request(self->state.fleet, std::chrono::seconds{30}, tag, next)
          .then(
            [rp, peers](std::string& summary) mutable {
              rp.deliver(peers.empty() ? summary : summary + "; " + peers);
            },
            [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [self](caf::get_atom tag, broker::reload_atom what) {
        return self->delegate(self->state.fleet, tag, what);
      },
      [self](caf::close_atom tag) {
        auto& st = self->state;
        self->send(st.fleet, tag);
        for (auto& [address, p] : st.peers)
          self->send_exit(p, caf::exit_reason::user_shutdown);
        for (auto& p : st.retired)
          self->send_exit(p, caf::exit_reason::user_shutdown);
        st.peers.clear();
        st.retired.clear();
        st.reports.clear();
      },
    };
  };
  return sys.spawn(init, std::move(broker_id), std::move(cfg), std::move(fleet), std::move(fanin),
                   std::move(spawn));
}

} // namespace holobroker::federation
