// A connection retired on reload (connection_retirement.hpp) under CAF's
// test coordinator: it closes only after a quiet period, so a request the
// front end sent before it took the new directory is not cut off.
#define CAF_SUITE retirement
#include <caf/test/dsl.hpp>

#include "broker/connection_retirement.hpp"
#include "broker_fixture.hpp"

using namespace holobroker;
using namespace holobroker::test;
using namespace std::chrono_literals;

namespace {

struct fixture : broker_fixture {
  bool closed() {
    bool down = false;
    self->receive([&](caf::down_msg&) { down = true; }, caf::after(0s) >> [] {});
    return down;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(retirement_tests, fixture)

CAF_TEST(a retired connection closes only after a quiet period without new requests) {
  self->monitor(connection);
  broker::retire_connection(sys, connection, 10s, 50ms);
  sched.run();
  CAF_CHECK(!closed()); // no check before one period has passed
  sched.advance_time(50ms);
  sched.run();
  CAF_CHECK(!closed()); // idle once: not yet
  router_calls->status.requests_sent = 1; // a request arrived meanwhile
  sched.advance_time(50ms);
  sched.run();
  CAF_CHECK(!closed());
  router_calls->status.in_flight = 1; // and is in flight
  sched.advance_time(50ms);
  sched.run();
  CAF_CHECK(!closed());
  router_calls->status.in_flight = 0; // answered
  sched.advance_time(50ms);
  sched.run();
  CAF_CHECK(!closed()); // idle again, quiet period starts
  sched.advance_time(50ms);
  sched.run();
  CAF_CHECK(closed());
}

CAF_TEST(a retired connection that never goes idle closes at its limit) {
  self->monitor(connection);
  router_calls->status.in_flight = 1;
  broker::retire_connection(sys, connection, 200ms, 50ms);
  sched.run();
  for (int i = 0; i < 3; ++i) {
    sched.advance_time(50ms);
    sched.run();
    CAF_CHECK(!closed());
  }
  sched.advance_time(50ms);
  sched.run();
  CAF_CHECK(closed());
}

CAF_TEST_FIXTURE_SCOPE_END()
