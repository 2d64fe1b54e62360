#define CAF_SUITE router_actor
#include <caf/test/dsl.hpp>

#include "actor_fixture.hpp"
#include "holobroker/client/pool_actor.hpp"

using namespace holobroker;
using namespace holobroker::client;
using holobroker::test::code_of;
using wire::message_type;

namespace {

struct router_fixture : holobroker::test::client_fixture {
  pool_actor pool = spawn_pool(sys, factory);
  router_actor router = spawn_router(sys, pool);

  client_actor add_server(std::vector<std::string> things) {
    auto added = ask<client_actor>(pool, add_atom_v, config(), std::move(things));
    sched.run();
    CAF_REQUIRE(added->value);
    wire().answer(wire().sent.size() - 1, message_type::handshake);
    wake();
    wire().sent.clear();
    return *added->value;
  }

  std::vector<std::string> things() {
    auto t = ask<std::vector<std::string>>(router, get_atom_v, things_atom_v);
    sched.run();
    CAF_REQUIRE(t->value);
    return *t->value;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(router_actor_tests, router_fixture)

CAF_TEST(execute routes by Thing id) {
  add_server({"spectrometer", "motor"});
  CAF_CHECK_EQUAL(things(), (std::vector<std::string>{"motor", "spectrometer"}));
  auto res = ask<operation_reply>(router, execute_atom_v, read_property("motor", "position"));
  sched.run();
  CAF_REQUIRE_EQUAL(wire().sent.size(), 1u);
  CAF_CHECK_EQUAL(wire().sent_request(0).header.thing_id, "motor");
  wire().answer(0, message_type::reply, "12");
  wake();
  CAF_REQUIRE(res->value);
  CAF_CHECK_EQUAL(res->value->payload.view(), "12");
  auto unknown = ask<operation_reply>(router, execute_atom_v, read_property("oven", "t"));
  sched.run();
  CAF_CHECK(code_of(unknown->error) == client_errc::unknown_thing);
}

CAF_TEST(execute in all gives one outcome per Thing) {
  add_server({"spectrometer", "motor"});
  auto res = ask<std::vector<thing_outcome>>(router, execute_atom_v, all_atom_v,
                                             invoke_action("", "ping",
                                                           wire::shared_bytes::copy_of("{}")));
  sched.run();
  CAF_REQUIRE_EQUAL(wire().sent.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    if (wire().sent_request(i).header.thing_id == "motor")
      wire().answer(i, message_type::exception,
                    R"({"exception":{"message":"no","type":"KeyError","traceback":[],"notes":null}})");
    else
      wire().answer(i, message_type::reply, "null");
  }
  wake();
  CAF_REQUIRE(res->value);
  auto& out = *res->value;
  CAF_REQUIRE_EQUAL(out.size(), 2u);
  CAF_CHECK_EQUAL(out[0].thing_id, "motor");
  CAF_CHECK(!out[0].ok);
  CAF_CHECK(code_of(out[0].error) == client_errc::remote_exception);
  CAF_CHECK_EQUAL(out[1].thing_id, "spectrometer");
  CAF_CHECK(out[1].ok);
}

CAF_TEST(ping all pings every connection) {
  add_server({"spectrometer"});
  auto res = ask<std::vector<ping_outcome>>(router, ping_atom_v, all_atom_v);
  sched.run();
  CAF_REQUIRE_EQUAL(wire().sent.size(), 1u);
  wire().answer(0, message_type::handshake);
  wake();
  CAF_REQUIRE(res->value);
  CAF_REQUIRE_EQUAL(res->value->size(), 1u);
  CAF_CHECK(res->value->at(0).ok);
  CAF_CHECK_EQUAL(res->value->at(0).server_id, "test-server");
}

CAF_TEST(removing the last Thing of a connection closes it) {
  add_server({"spectrometer", "motor"});
  CAF_CHECK(wire().open);
  self->send(pool, delete_atom_v, std::string{"motor"});
  sched.run();
  CAF_CHECK_EQUAL(things(), (std::vector<std::string>{"spectrometer"}));
  CAF_CHECK(wire().open);
  self->send(pool, delete_atom_v, std::string{"spectrometer"});
  sched.run();
  CAF_CHECK(things().empty());
  CAF_CHECK(!wire().open);
}

CAF_TEST(a connection that terminates is unmapped) {
  auto c = add_server({"spectrometer"});
  caf::anon_send_exit(c, caf::exit_reason::user_shutdown);
  sched.run();
  CAF_CHECK(things().empty());
}

CAF_TEST(an existing client can be added for a Thing) {
  auto c = spawn_client(sys, config(), factory);
  sched.run();
  self->send(pool, add_atom_v, std::string{"oven"}, c);
  sched.run();
  CAF_CHECK_EQUAL(things(), (std::vector<std::string>{"oven"}));
  // Not pool-owned: unmapping does not shut it down.
  self->send(pool, delete_atom_v, std::string{"oven"});
  sched.run();
  CAF_CHECK(wire().open);
}

CAF_TEST(the router follows every change of the pool directory) {
  CAF_CHECK(things().empty());
  add_server({"spectrometer"});
  CAF_CHECK_EQUAL(things(), (std::vector<std::string>{"spectrometer"}));
  auto c = spawn_client(sys, config(), factory);
  sched.run();
  self->send(pool, add_atom_v, std::string{"oven"}, c);
  sched.run();
  CAF_CHECK_EQUAL(things(), (std::vector<std::string>{"oven", "spectrometer"}));
  self->send(pool, delete_atom_v, std::string{"spectrometer"});
  sched.run();
  CAF_CHECK_EQUAL(things(), (std::vector<std::string>{"oven"}));
}

CAF_TEST(a request sent before the first snapshot of the router waits for it) {
  // A router whose source has not answered yet: the request is routed once
  // the snapshot arrives, not refused as an unknown Thing.
  add_server({"motor"});
  auto late = spawn_router(sys, pool);
  auto res = ask<operation_reply>(late, execute_atom_v, read_property("motor", "position"));
  sched.run();
  CAF_REQUIRE_EQUAL(wire().sent.size(), 1u);
  wire().answer(0, message_type::reply, "3");
  wake();
  CAF_REQUIRE(res->value);
  CAF_CHECK_EQUAL(res->value->payload.view(), "3");
}

CAF_TEST(the router refuses a directory from anybody but its source) {
  add_server({"motor"});
  self->send(router, put_atom_v, thing_directory{}); // empty, and not from the pool
  sched.run();
  CAF_CHECK_EQUAL(things(), (std::vector<std::string>{"motor"}));
}

CAF_TEST(dropping every handle of a pool and its router ends both) {
  // The pool holds its followers weakly: no cycle keeps them alive.
  auto p = spawn_pool(sys, factory);
  auto r = spawn_router(sys, p);
  sched.run();
  auto pw = caf::actor_cast<caf::weak_actor_ptr>(p);
  auto rw = caf::actor_cast<caf::weak_actor_ptr>(r);
  p = nullptr;
  r = nullptr;
  sched.run();
  CAF_CHECK(!caf::actor_cast<caf::actor>(rw));
  CAF_CHECK(!caf::actor_cast<caf::actor>(pw));
}

CAF_TEST_FIXTURE_SCOPE_END()
