// holobroker's client core -> holobrokerd -> the REAL hololinked 0.4 server:
// the broker's request path across a real server restart.
//
// (A real server whose TCP event port is busy does not bind elsewhere with
// libzmq 4.3.4: hololinked 0.4 looks for the message "Address in use", libzmq
// says "Address already in use", so the server fails to start. The event
// address of a TCP server therefore is port + 1 whenever the server runs.)
#define CAF_SUITE interop_broker
#include <caf/test/unit_test.hpp>

#include <caf/actor_system.hpp>

#include "interop_fixture.hpp"
#include "load_generator.hpp"

using namespace holobroker;
using namespace holobroker::test::interop;

namespace {

struct broker_fixture {
  broker_fixture() {
    require_peer();
  }
  home_dir home;
  std::shared_ptr<transport::transport_factory> factory = transport::make_zmq_transport_factory();
  core_config cfg;
  caf::actor_system sys{cfg};

  client_config to_broker(const std::string& address) {
    client_config c;
    c.server_id = "holobroker";
    c.address = address;
    c.handshake_timeout = 30s;
    return c;
  }
};

std::string payload_of(const blocking_client::result<operation_reply>& r) {
  return r ? r->payload.to_string() : "error: " + describe(r.error());
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(interop_broker_tests, broker_fixture)

CAF_TEST(through holobrokerd a real server restarted with requests in flight ends each request once) {
  auto port = free_port_pair();
  auto server = std::make_unique<real_server>(home, "lab", "thing-ipc,thing-tcp", port);
  broker_process broker{home, thing_entry("thing-ipc", "lab", "IPC")
                                + thing_entry("thing-tcp", "lab", server->address("tcp_server"))};
  blocking_client ipc{sys, to_broker(broker.frontend("ipc")), factory};
  blocking_client tcp{sys, to_broker(broker.frontend("tcp")), factory};
  CAF_REQUIRE(ipc.wait_connected());
  CAF_REQUIRE(tcp.wait_connected());
  auto ipc_counts = std::make_shared<load_counts>();
  auto tcp_counts = std::make_shared<load_counts>();
  // Upstream IPC through the IPC front end, upstream TCP through the TCP one.
  auto ipc_load = sys.spawn(load_actor, ipc.handle(), std::string{"thing-ipc"}, 8, ipc_counts);
  auto tcp_load = sys.spawn(load_actor, tcp.handle(), std::string{"thing-tcp"}, 8, tcp_counts);
  CAF_REQUIRE(eventually([&] { return ipc_counts->ok > 100 && tcp_counts->ok > 100; }, 60s));
  server->kill();
  auto ipc_at_crash = ipc_counts->ok.load();
  auto tcp_at_crash = tcp_counts->ok.load();
  server = std::make_unique<real_server>(home, "lab", "thing-ipc,thing-tcp", port);
  CAF_CHECK(eventually(
    [&] { return ipc_counts->ok > ipc_at_crash + 100 && tcp_counts->ok > tcp_at_crash + 100; },
    60s));
  stop_and_check(ipc_load, *ipc_counts);
  stop_and_check(tcp_load, *tcp_counts);
  // The broker's connections are usable again, and nothing is left in flight.
  CAF_CHECK_EQUAL(payload_of(ipc.read_property("thing-ipc", "int_prop")), "5");
  CAF_CHECK_EQUAL(payload_of(tcp.read_property("thing-tcp", "int_prop")), "5");
  for (auto* c : {&ipc, &tcp}) {
    auto st = c->status();
    CAF_REQUIRE(st);
    CAF_CHECK_EQUAL(st->in_flight + st->waiting_to_send, 0u);
  }
}

CAF_TEST_FIXTURE_SCOPE_END()
