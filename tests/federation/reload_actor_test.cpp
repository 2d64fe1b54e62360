#define CAF_SUITE federation_reload
#include <caf/test/dsl.hpp>

// The federation actor's side of a broker.peers reload, under CAF's test
// coordinator: stand-in peer actors (no middleman), a stand-in fleet and
// event fan-in that record what they are sent.

#include <map>
#include <memory>
#include <set>
#include <vector>

#include "holobroker/broker/type_ids.hpp"
#include "holobroker/client/error.hpp"
#include "holobroker/federation/federation.hpp"

using namespace holobroker;

namespace {

struct reload_test_config : caf::actor_system_config {
  reload_test_config() { broker::add_message_types(*this); }
};

/// What the stand-ins saw.
struct script {
  std::vector<std::string> spawned;   ///< peer addresses, in spawn order
  std::set<std::string> retired;      ///< peers sent retire_atom
  std::vector<std::string> fanin;     ///< "+thing" (announced), "-thing" (forgotten)
  /// Per peer address: the Things its stand-in claims (broker id = address).
  std::map<std::string, std::vector<std::string>> claims;
  std::map<std::string, federation::peer_actor> actors;
  std::map<std::string, federation::report_sink> sinks;
};

federation::peer_report report_of(const federation::peer_actor& me, const std::string& address,
                                  const std::vector<std::string>& things) {
  federation::peer_report r;
  r.address = address;
  r.broker_id = "broker@" + address;
  r.state = "connected";
  r.connects = 1;
  client::thing_directory::map_type routes;
  for (const auto& id : things) {
    client::thing_route route;
    route.thing_id = id;
    route.client = caf::actor_cast<client::client_actor>(me);
    route.origin = r.broker_id;
    // Only its presence matters (the fan-in stand-in never subscribes).
    route.events = caf::actor_cast<events::event_subscriber_actor>(me);
    routes.emplace(id, std::move(route));
  }
  r.directory = client::thing_directory{1, std::move(routes)};
  return r;
}

/// A peer actor that is connected at once and claims `claims[address]`.
federation::peer_spawner stand_in_peers(std::shared_ptr<script> s) {
  return [s](caf::actor_system& sys, federation::peer_settings cfg,
             federation::report_sink sink) -> federation::peer_actor {
    auto address = cfg.peer.address();
    auto init = [](federation::peer_actor::pointer self, std::shared_ptr<script> s,
                   std::string address,
                   federation::report_sink sink) -> federation::peer_actor::behavior_type {
      auto me = caf::actor_cast<federation::peer_actor>(self);
      self->send(sink, caf::put_atom_v, report_of(me, address, s->claims[address]));
      auto answer = [](client::execute_atom, const client::operation_request&)
        -> caf::result<client::operation_reply> { return client::operation_reply{}; };
      return {
        answer,
        [](client::send_request_atom, const client::operation_request&)
          -> caf::result<std::string> { return std::string{"id"}; },
        [](client::receive_response_atom, const std::string&)
          -> caf::result<client::operation_reply> { return client::operation_reply{}; },
        [](client::oneway_atom, const client::operation_request&) -> caf::result<std::string> {
          return std::string{};
        },
        [](client::handshake_atom) -> caf::result<caf::timespan> { return caf::timespan{0}; },
        [](caf::ping_atom) -> caf::result<caf::timespan> { return caf::timespan{0}; },
        [](caf::get_atom, client::status_atom) { return client::client_status{}; },
        [](caf::put_atom, const std::string&, const client::thing_policy&) {},
        [](caf::delete_atom, const std::string&) {},
        [](caf::put_atom, client::thing_directory&) {},
        [](federation::reconnect_atom, std::uint64_t) {},
        [](federation::ping_tick_atom, std::uint64_t) {},
        [s, address](federation::retire_atom) { s->retired.insert(address); },
      };
    };
    auto p = sys.spawn(init, s, address, sink);
    s->spawned.push_back(address);
    s->actors.insert_or_assign(address, p);
    s->sinks.insert_or_assign(address, sink);
    return p;
  };
}

// The stand-ins take what they need as spawn arguments, never as captures
// alone: CAF 0.17 dereferences a null argument tuple when a function actor
// takes none (UBSan: reference binding to null pointer in init_fun_factory).

/// A fleet with no Things of its own that accepts every reload.
broker::fleet_actor stand_in_fleet(caf::actor_system& sys) {
  auto init = [](broker::fleet_actor::pointer self,
                 std::uint64_t version) -> broker::fleet_actor::behavior_type {
    return {
      [self, version](client::watch_atom) {
        auto f = caf::actor_cast<client::directory_follower>(self->current_sender());
        self->send(f, caf::put_atom_v, client::thing_directory{version, {}});
      },
      [version](caf::get_atom, client::watch_atom) {
        return client::thing_directory{version, {}};
      },
      [](caf::get_atom, broker::things_atom) { return std::vector<broker::thing_info>{}; },
      [](caf::get_atom, broker::peers_atom) { return std::vector<broker::peer_info>{}; },
      [](broker::reload_atom, const config::broker_config&) {
        return std::string{"(0 unchanged)"};
      },
      [](caf::get_atom, broker::reload_atom) { return std::uint64_t{1}; },
      [](caf::close_atom) {},
    };
  };
  return sys.spawn(init, std::uint64_t{1});
}

broker::fanin_actor stand_in_fanin(caf::actor_system& sys, std::shared_ptr<script> s) {
  auto init = [](std::shared_ptr<script> s) -> broker::fanin_actor::behavior_type {
    return {
      [](broker::event_atom, const wire::event&) {},
      [](broker::readable_atom) {},
      [s](caf::put_atom, const std::string& thing, const events::event_subscriber_actor&) {
        s->fanin.push_back("+" + thing);
      },
      [](broker::last_atom, const std::string&, bool, const std::set<std::string>&) {},
      [s](caf::delete_atom, const std::string& thing) { s->fanin.push_back("-" + thing); },
      [](caf::subscribe_atom, const std::string&, const std::string&) {},
      [](caf::get_atom, broker::last_atom, const std::string&,
         const std::string&) -> caf::result<wire::event> {
        return client::make_error(client::client_errc::unknown_message, "none");
      },
      [](caf::get_atom, broker::topics_atom) { return broker::fanin_summary{}; },
      [](caf::close_atom) {},
    };
  };
  return sys.spawn(init, std::move(s));
}

config::federation_config with_peers(std::vector<std::uint16_t> ports) {
  config::federation_config f;
  f.enabled = true;
  f.plain = true;
  for (auto p : ports)
    f.peers.push_back({"10.0.0.1", p});
  return f;
}

std::string at(std::uint16_t port) { return "10.0.0.1:" + std::to_string(port); }

struct fixture : test_coordinator_fixture<reload_test_config> {
  std::shared_ptr<script> s = std::make_shared<script>();
  federation::federation_actor fed;

  broker::fleet_actor fleet = stand_in_fleet(sys);
  broker::fanin_actor fanin = stand_in_fanin(sys, s);

  void start(std::vector<std::uint16_t> ports) {
    fed = federation::spawn_federation(sys, "broker-a", with_peers(ports), fleet, fanin,
                                       stand_in_peers(s));
    sched.run();
  }

  // The script holds the actors and they hold the script: end them all, or
  // the actor system waits for them for ever.
  ~fixture() {
    for (auto& [address, p] : s->actors)
      caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
    for (auto hdl : {caf::actor_cast<caf::actor>(fed), caf::actor_cast<caf::actor>(fleet),
                     caf::actor_cast<caf::actor>(fanin)})
      if (hdl)
        caf::anon_send_exit(hdl, caf::exit_reason::user_shutdown);
    s->actors.clear();
    s->sinks.clear();
    sched.run();
  }

  std::string reload(std::vector<std::uint16_t> ports) {
    config::broker_config next;
    next.id = "broker-a";
    next.federation = with_peers(ports);
    auto rp = self->request(fed, caf::infinite, broker::reload_atom_v, next);
    sched.run();
    std::string out;
    rp.receive([&](const std::string& summary) { out = summary; },
               [](const caf::error& err) { CAF_FAIL("reload failed: " << caf::to_string(err)); });
    return out;
  }

  /// Thing id -> the client actor the merged directory routes it to.
  std::map<std::string, client::client_actor> routes() {
    auto rp = self->request(fed, caf::infinite, caf::get_atom_v, client::watch_atom_v);
    sched.run();
    std::map<std::string, client::client_actor> out;
    rp.receive(
      [&](const client::thing_directory& d) {
        for (const auto& [id, route] : d.routes())
          out.emplace(id, route.client);
      },
      [](const caf::error& err) { CAF_FAIL("no directory: " << caf::to_string(err)); });
    return out;
  }

  std::vector<std::string> peers() {
    auto rp = self->request(fed, caf::infinite, caf::get_atom_v, broker::peers_atom_v);
    sched.run();
    std::vector<std::string> out;
    rp.receive(
      [&](const std::vector<broker::peer_info>& ps) {
        for (const auto& p : ps)
          out.push_back(p.address);
      },
      [](const caf::error& err) { CAF_FAIL("no peers: " << caf::to_string(err)); });
    return out;
  }

  client::client_actor peer_client(std::uint16_t port) {
    return caf::actor_cast<client::client_actor>(s->actors.at(at(port)));
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(federation_reload_tests, fixture)

CAF_TEST(a reload spawns an added peer keeps an unchanged one and retires a removed one) {
  s->claims = {{at(1), {"b1"}}, {at(2), {"c1"}}, {at(3), {"d1"}}};
  start({1, 2});
  CAF_CHECK_EQUAL(s->spawned, (std::vector<std::string>{at(1), at(2)}));
  CAF_CHECK_EQUAL(routes().size(), 2u);
  auto summary = reload({1, 3});
  CAF_CHECK_EQUAL(summary, "(0 unchanged); peers +" + at(3) + " -" + at(2) + " (1 unchanged)");
  // The unchanged peer was not spawned again; the removed one was retired.
  CAF_CHECK_EQUAL(s->spawned, (std::vector<std::string>{at(1), at(2), at(3)}));
  CAF_CHECK_EQUAL(s->retired, std::set<std::string>{at(2)});
  auto r = routes();
  CAF_CHECK_EQUAL(r.count("c1"), 0u);
  CAF_REQUIRE_EQUAL(r.count("b1"), 1u);
  CAF_REQUIRE_EQUAL(r.count("d1"), 1u);
  CAF_CHECK(r.at("b1") == peer_client(1));
  CAF_CHECK(r.at("d1") == peer_client(3));
  CAF_CHECK_EQUAL(peers(), (std::vector<std::string>{at(1), at(3)}));
  // The removed peer's events are no longer taken; the others' are.
  CAF_CHECK(std::count(s->fanin.begin(), s->fanin.end(), "-c1") == 1);
  CAF_CHECK(std::count(s->fanin.begin(), s->fanin.end(), "-b1") == 0);
  // The same list again changes nothing.
  CAF_CHECK_EQUAL(reload({1, 3}), "(0 unchanged)");
  CAF_CHECK_EQUAL(s->spawned.size(), 3u);
}

CAF_TEST(a retired peer that still reports is not offered again) {
  s->claims = {{at(1), {"b1"}}, {at(2), {"c1"}}};
  start({1, 2});
  reload({1});
  auto old = s->actors.at(at(2));
  // A report sent by the retired actor after its removal (it was on the way).
  self->send(s->sinks.at(at(2)), caf::put_atom_v, report_of(old, at(2), {"c1", "c2"}));
  sched.run();
  CAF_CHECK_EQUAL(routes().count("c1"), 0u);
  CAF_CHECK_EQUAL(routes().count("c2"), 0u);
  CAF_CHECK_EQUAL(peers(), std::vector<std::string>{at(1)});
  // Listed again later: a new actor, whose Things are offered.
  reload({1, 2});
  CAF_CHECK_EQUAL(s->spawned.size(), 3u);
  CAF_CHECK(s->actors.at(at(2)) != old);
  CAF_REQUIRE_EQUAL(routes().count("c1"), 1u);
  CAF_CHECK(routes().at("c1") == peer_client(2));
}

CAF_TEST(removing one of two claimants by a reload routes the Thing to the other) {
  s->claims = {{at(1), {"dup", "b1"}}, {at(2), {"dup"}}};
  start({1, 2});
  auto before = routes();
  CAF_REQUIRE_EQUAL(before.count("dup"), 1u);
  // Routed to the actor that refuses every request, naming the claimants.
  CAF_CHECK(before.at("dup") != peer_client(1));
  CAF_CHECK(before.at("dup") != peer_client(2));
  reload({1});
  auto after = routes();
  CAF_REQUIRE_EQUAL(after.count("dup"), 1u);
  CAF_CHECK(after.at("dup") == peer_client(1));
}

CAF_TEST_FIXTURE_SCOPE_END()
