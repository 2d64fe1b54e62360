#define CAF_SUITE daemon_middleman
#include <caf/test/unit_test.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include "../thing_sim/sim_process.hpp"
#include "holobroker/broker/broker_node.hpp"
#include "holobroker/broker/type_ids.hpp"
#include "holobroker/client/error.hpp"

using namespace holobroker;
using namespace holobroker::test;
using namespace std::chrono_literals;

namespace {

struct node_config : caf::actor_system_config {
  node_config() {
    broker::add_message_types(*this);
    load<caf::io::middleman>();
    set("logger.verbosity", caf::atom("quiet"));
  }
};

/// The typed answer to one request sent from `sys`.
template <class T, class Handle, class... Ts>
std::pair<std::optional<T>, caf::error> ask(caf::actor_system& sys, const Handle& hdl,
                                            Ts... xs) {
  std::optional<T> value;
  caf::error err;
  caf::scoped_actor self{sys};
  self->request(hdl, 10s, xs...)
    .receive([&](T& x) { value = std::move(x); }, [&](caf::error& e) { err = std::move(e); });
  return {std::move(value), std::move(err)};
}

} // namespace

CAF_TEST(a remote CAF node uses the published router with the typed API) {
  sim_process sim{{}};
  config::broker_config cfg;
  cfg.id = "holobroker-mm";
  cfg.temp_dir = sim.ipc_dir();
  config::thing_config t;
  t.thing_id = "spectrometer";
  t.server_id = "thing-sim";
  t.address = "IPC";
  t.client_id = "holobroker|mm|spectrometer";
  cfg.things.push_back(t);
  node_config cfg_a;
  caf::actor_system broker_sys{cfg_a};
  auto node = broker::broker_node::start(broker_sys, cfg);
  CAF_REQUIRE(node.has_value());
  auto port = broker::publish_router(broker_sys, (*node)->router(), 0, "127.0.0.1");
  CAF_REQUIRE(port.has_value());
  CAF_REQUIRE(*port != 0);
  {
    node_config cfg_b;
    caf::actor_system remote_sys{cfg_b};
    auto router = remote_sys.middleman().remote_actor<client::router_actor>("127.0.0.1", *port);
    CAF_REQUIRE(static_cast<bool>(router));
    auto [reply, err] = ask<client::operation_reply>(
      remote_sys, *router, client::execute_atom_v,
      client::read_property("spectrometer", "integration_time"));
    CAF_REQUIRE(reply.has_value());
    CAF_CHECK_EQUAL(reply->payload.view(), "10.0");
    // Typed errors cross the wire too.
    auto [none, unknown] = ask<client::operation_reply>(
      remote_sys, *router, client::execute_atom_v, client::read_property("nope", "x"));
    CAF_CHECK(!none);
    CAF_CHECK(client::client_errc_of(unknown) == client::client_errc::unknown_thing);
    auto [things, terr] = ask<std::vector<std::string>>(remote_sys, *router, client::get_atom_v,
                                                        client::things_atom_v);
    CAF_REQUIRE(things.has_value());
    CAF_CHECK_EQUAL(*things, std::vector<std::string>{"spectrometer"});
    // The router is read-only: a remote node cannot re-map or remove Things
    // behind the fleet's back (the messages are not in its behaviour).
    auto untyped = caf::actor_cast<caf::actor>(*router);
    auto [removed, derr] = ask<std::string>(remote_sys, untyped, caf::delete_atom_v,
                                            std::string{"spectrometer"});
    CAF_CHECK(!removed);
    CAF_CHECK(static_cast<bool>(derr));
    auto [after, aerr] = ask<std::vector<std::string>>(remote_sys, *router, client::get_atom_v,
                                                       client::things_atom_v);
    CAF_REQUIRE(after.has_value());
    CAF_CHECK_EQUAL(*after, std::vector<std::string>{"spectrometer"});
    auto [still, serr] = ask<client::operation_reply>(
      remote_sys, *router, client::execute_atom_v,
      client::read_property("spectrometer", "integration_time"));
    CAF_CHECK(still.has_value());
  }
  (*node)->drain(caf::timespan{0});
}
