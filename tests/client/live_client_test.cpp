#define CAF_SUITE live_client
#include <caf/test/unit_test.hpp>

#include <atomic>
#include <mutex>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "live_fixture.hpp"
#include "holobroker/wire/requests.hpp"

using namespace holobroker;
using namespace holobroker::client;
using namespace std::chrono_literals;
using holobroker::test::code_of;
using holobroker::test::payload_of;

namespace {

request_options timeouts(double invokation, double execution) {
  request_options opts;
  opts.server_context.invokation_timeout = invokation;
  opts.server_context.execution_timeout = execution;
  return opts;
}

/// The basic operations against a live server at `address`.
void check_operations(blocking_client& c) {
  auto hs = c.wait_connected();
  CAF_REQUIRE(hs);
  CAF_MESSAGE("handshake took "
              << std::chrono::duration_cast<std::chrono::microseconds>(*hs).count() << " us");
  CAF_CHECK_EQUAL(payload_of(c.read_property("spectrometer", "integration_time")), "10.0");
  CAF_CHECK_EQUAL(payload_of(c.write_property("spectrometer", "integration_time", "25")),
                  "null");
  CAF_CHECK_EQUAL(payload_of(c.read_property("spectrometer", "integration_time")), "25");
  CAF_CHECK_EQUAL(payload_of(c.read_property("spectrometer", "serial_number")),
                  "\"SIM-SPEC-0001\"");
  CAF_CHECK_EQUAL(payload_of(c.invoke_action("spectrometer", "echo", R"({"a":[1,"two"]})")),
                  R"({"a":[1,"two"]})");
  // A remote exception carries the Thing's error.
  auto failed = c.invoke_action("spectrometer", "fail");
  CAF_REQUIRE(!failed);
  CAF_CHECK(code_of(failed.error()) == client_errc::remote_exception);
  auto ex = remote_exception_of(failed.error());
  CAF_REQUIRE(ex);
  CAF_CHECK_EQUAL(ex->type, "ValueError");
  CAF_CHECK_EQUAL(ex->message, "simulated failure");
  // Validation errors are remote exceptions too.
  auto bad = c.write_property("spectrometer", "integration_time", "-5");
  CAF_CHECK(!bad && code_of(bad.error()) == client_errc::remote_exception);
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(live_client_tests, holobroker::test::live_fixture)

CAF_TEST(operations over IPC) {
  test::sim_process sim{dir.string()};
  // The address as the CLI resolves it from the server id (hololinked's convention).
  auto ep = wire::resolve_endpoints("IPC", "thing-sim", dir.string());
  CAF_REQUIRE(ep);
  CAF_CHECK_EQUAL(ep->request_address, sim.ipc_address);
  CAF_CHECK_EQUAL(ep->event_address, sim.ipc_events);
  blocking_client c{sys, config(ep->request_address), factory};
  check_operations(c);
}

CAF_TEST(operations over TCP) {
  test::sim_process sim{dir.string()};
  CAF_REQUIRE(!sim.tcp_address.empty());
  auto ep = wire::resolve_endpoints(sim.tcp_address, "thing-sim");
  CAF_REQUIRE(ep);
  CAF_CHECK_EQUAL(ep->event_address, sim.tcp_events);
  blocking_client c{sys, config(sim.tcp_address), factory};
  check_operations(c);
}

CAF_TEST(server timeouts and the stray TIMEOUT after INVALID_MESSAGE) {
  test::sim_process sim{dir.string()};
  blocking_client c{sys, config(sim.ipc_address), factory};
  auto slow = c.invoke_action("spectrometer", "sleep", R"({"seconds":1.0})", timeouts(5, 0.1));
  CAF_REQUIRE(!slow);
  CAF_CHECK(code_of(slow.error()) == client_errc::server_timeout);
  CAF_CHECK_EQUAL(server_timeout_kind_of(slow.error()), "execution");
  // Queued behind the still running sleep: invokation timeout.
  auto busy = c.invoke_action("spectrometer", "sleep", R"({"seconds":0.5})", timeouts(5, 5));
  auto id = c.oneway(invoke_action("spectrometer", "sleep",
                                   wire::shared_bytes::copy_of(R"({"seconds":0.5})")));
  CAF_CHECK(id);
  auto queued = c.read_property("spectrometer", "count", timeouts(0.1, 5));
  CAF_REQUIRE(!queued);
  CAF_CHECK_EQUAL(server_timeout_kind_of(queued.error()), "invokation");
  // Unknown Thing: INVALID_MESSAGE at once, then TIMEOUT for the same id,
  // which must be dropped and counted, not delivered.
  auto before = c.status()->replies_dropped;
  auto unknown = c.read_property("no-such-thing", "x", timeouts(0.2, 0.2));
  CAF_REQUIRE(!unknown);
  CAF_CHECK(code_of(unknown.error()) == client_errc::invalid_message);
  CAF_CHECK(eventually([&] { return c.status()->replies_dropped > before; }));
}

CAF_TEST(oneway requests are executed without a reply) {
  test::sim_process sim{dir.string()};
  blocking_client c{sys, config(sim.ipc_address), factory};
  auto id = c.oneway(write_property("spectrometer", "count", wire::shared_bytes::copy_of("41")));
  CAF_REQUIRE(id);
  CAF_CHECK_EQUAL(id->size(), 36u);
  // Operations of one Thing run in order: the read sees the oneway write.
  CAF_CHECK_EQUAL(payload_of(c.read_property("spectrometer", "count")), "41");
  auto dropped = c.status()->replies_dropped; // CAF checks keep references: no temporaries
  CAF_CHECK_EQUAL(dropped, 0u);
}

CAF_TEST(one MiB payloads travel both ways) {
  test::sim_process sim{dir.string()};
  blocking_client c{sys, config(sim.ipc_address), factory};
  std::string big(1 << 20, 'x');
  for (std::size_t i = 0; i < big.size(); i += 4099)
    big[i] = static_cast<char>('a' + i % 26);
  auto kwargs = R"({"data":")" + big + "\"}";
  auto res = c.invoke_action("spectrometer", "echo", kwargs);
  CAF_REQUIRE(res);
  CAF_CHECK_EQUAL(res->payload.size(), kwargs.size());
  CAF_CHECK(res->payload.view() == kwargs);
  // Bytes in the preserialized frame come back as bytes.
  auto req = invoke_action("spectrometer", "echo", wire::shared_bytes::copy_of("{}"));
  req.preserialized = wire::shared_bytes::from_string(big);
  auto raw = c.execute(req);
  CAF_REQUIRE(raw);
  CAF_CHECK_EQUAL(raw->preserialized.size(), big.size());
  CAF_CHECK(raw->preserialized.view() == big);
}

CAF_TEST(pipelined requests are matched by message id) {
  test::sim_process sim{dir.string()};
  auto cfg = config(sim.ipc_address);
  cfg.reply_cache_capacity = 4096;
  blocking_client c{sys, cfg, factory};
  CAF_REQUIRE(c.wait_connected());
  caf::scoped_actor self{sys};
  constexpr int n = 500;
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    auto req = invoke_action("spectrometer", "echo",
                             wire::shared_bytes::from_string(
                               R"({"i":)" + std::to_string(i) + "}"));
    self->request(c.handle(), caf::infinite, send_request_atom_v, req)
      .receive([&](std::string& id) { ids.push_back(std::move(id)); },
               [&](caf::error& err) { CAF_FAIL("send_request failed: " << describe(err)); });
  }
  int matched = 0;
  for (int i = n - 1; i >= 0; --i) { // receive in reverse order
    self->request(c.handle(), caf::infinite, receive_response_atom_v, ids[i])
      .receive(
        [&](operation_reply& r) {
          if (r.payload.view() == R"({"i":)" + std::to_string(i) + "}" && r.message_id == ids[i])
            ++matched;
        },
        [&](caf::error& err) { CAF_FAIL("receive_response failed: " << describe(err)); });
  }
  CAF_CHECK_EQUAL(matched, n);
  auto st = c.status();
  CAF_CHECK_EQUAL(st->replies_dropped, 0u);
  CAF_CHECK_EQUAL(st->cached_replies, 0u);
}

CAF_TEST(a server that never answers ends in a client timeout) {
  test::sim_process sim{dir.string(), {"--fault", "spectrometer:silent"}};
  blocking_client c{sys, config(sim.ipc_address), factory};
  request_options opts;
  opts.deadline = 300ms;
  auto res = c.read_property("spectrometer", "integration_time", opts);
  CAF_REQUIRE(!res);
  CAF_CHECK(code_of(res.error()) == client_errc::timeout);
  CAF_CHECK(describe(res.error()).find("no reply") != std::string::npos);
  // The other Thing of the same server still answers.
  CAF_CHECK_EQUAL(payload_of(c.read_property("motor", "position")), "0.0");
}

CAF_TEST(a wrong server id is a connection error naming client server and address) {
  test::sim_process sim{dir.string()};
  auto cfg = config(sim.tcp_address, "not-thing-sim");
  cfg.client_id = "wrong-id-client";
  cfg.handshake_timeout = 300ms;
  blocking_client c{sys, cfg, factory};
  auto hs = c.wait_connected();
  CAF_REQUIRE(!hs);
  CAF_CHECK(code_of(hs.error()) == client_errc::connection);
  auto text = describe(hs.error());
  CAF_CHECK(text.find("not-thing-sim") != std::string::npos);
  CAF_CHECK(text.find("wrong-id-client") != std::string::npos);
  CAF_CHECK(text.find(sim.tcp_address) != std::string::npos);
  auto res = c.read_property("spectrometer", "integration_time");
  CAF_CHECK(!res && code_of(res.error()) == client_errc::connection);
}

CAF_TEST(no server at all is a connection error after the handshake timeout) {
  auto cfg = config(wire::resolve_endpoints("IPC", "absent", dir.string())->request_address,
                    "absent");
  cfg.handshake_timeout = 200ms;
  blocking_client c{sys, cfg, factory};
  auto hs = c.wait_connected();
  CAF_REQUIRE(!hs);
  CAF_CHECK(code_of(hs.error()) == client_errc::connection);
  CAF_MESSAGE("attempts within 200 ms: " << c.status()->handshake_attempts);
}

CAF_TEST_FIXTURE_SCOPE_END()

// -- server restart under load ------------------------------------------------

namespace {

/// Keeps `window` reads in flight until told to stop; counts every outcome.
struct load_counts {
  std::mutex mtx;
  std::size_t sent = 0, replies = 0, disconnected = 0, timeouts = 0, other = 0;
  std::atomic<bool> stop{false};
  std::atomic<bool> done{false};
  std::atomic<std::size_t> ok{0};

  std::size_t outcomes() {
    std::lock_guard<std::mutex> guard{mtx};
    return replies + disconnected + timeouts + other;
  }
};

struct load_state {
  client_actor client;
  std::size_t window = 0;
  std::size_t in_flight = 0;
  std::shared_ptr<load_counts> counts;
};

using load_self = caf::stateful_actor<load_state>*;

void count(load_self self, std::size_t load_counts::*field) {
  auto& st = self->state;
  {
    std::lock_guard<std::mutex> guard{st.counts->mtx};
    ++(*st.counts.*field);
  }
  --st.in_flight;
}

void fire(load_self self) {
  auto& st = self->state;
  while (st.in_flight < st.window && !st.counts->stop) {
    ++st.in_flight;
    {
      std::lock_guard<std::mutex> guard{st.counts->mtx};
      ++st.counts->sent;
    }
    auto req = read_property("spectrometer", "integration_time");
    req.options.deadline = 3s;
    self->request(st.client, caf::infinite, execute_atom_v, req)
      .then(
        [self](operation_reply&) {
          count(self, &load_counts::replies);
          ++self->state.counts->ok;
          fire(self);
        },
        [self](caf::error& err) {
          auto code = client_errc_of(err);
          count(self, code == client_errc::disconnected ? &load_counts::disconnected
                      : code == client_errc::timeout    ? &load_counts::timeouts
                                                        : &load_counts::other);
          fire(self);
        });
  }
  if (st.in_flight == 0 && st.counts->stop) {
    st.counts->done = true;
    self->quit();
  }
}

caf::behavior load_actor(load_self self, client_actor c, std::size_t window,
                         std::shared_ptr<load_counts> counts) {
  self->state.client = std::move(c);
  self->state.window = window;
  self->state.counts = std::move(counts);
  fire(self);
  return {[self](caf::tick_atom) { fire(self); }};
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(live_restart_tests, holobroker::test::live_fixture)

CAF_TEST(server restart mid-load: every request ends in exactly one outcome) {
  auto sim = std::make_unique<test::sim_process>(dir.string());
  auto cfg = config(sim->ipc_address);
  blocking_client c{sys, cfg, factory};
  CAF_REQUIRE(c.wait_connected());
  auto counts = std::make_shared<load_counts>();
  auto load = sys.spawn(load_actor, c.handle(), 16, counts);
  CAF_REQUIRE(eventually([&] { return counts->ok > 300; }));
  sim->kill();
  auto ok_at_crash = counts->ok.load();
  sim = std::make_unique<test::sim_process>(dir.string());
  // Reconnected by libzmq, no new handshake: reads succeed again.
  CAF_REQUIRE(eventually([&] { return counts->ok > ok_at_crash + 300; }));
  counts->stop = true;
  caf::anon_send(load, caf::tick_atom_v);
  CAF_REQUIRE(eventually([&] { return counts->done.load(); }));
  std::lock_guard<std::mutex> guard{counts->mtx};
  CAF_MESSAGE("sent " << counts->sent << ": " << counts->replies << " replies, "
                      << counts->disconnected << " disconnected, " << counts->timeouts
                      << " timeouts, " << counts->other << " other");
  CAF_CHECK_EQUAL(counts->sent, counts->replies + counts->disconnected + counts->timeouts
                                  + counts->other);
  CAF_CHECK_EQUAL(counts->other, 0u);
  auto st = c.status();
  CAF_REQUIRE(st);
  CAF_CHECK_EQUAL(st->in_flight + st->waiting_to_send, 0u);
  CAF_CHECK_GREATER_OR_EQUAL(st->disconnects, 1u);
  // After the restart the connection is usable without a false failure.
  CAF_CHECK_EQUAL(payload_of(c.read_property("spectrometer", "integration_time")), "10.0");
}

CAF_TEST(a disconnect while idle does not fail the next request) {
  auto sim = std::make_unique<test::sim_process>(dir.string());
  blocking_client c{sys, config(sim->ipc_address), factory};
  CAF_REQUIRE_EQUAL(payload_of(c.read_property("spectrometer", "count")), "0");
  sim->kill();
  CAF_REQUIRE(eventually([&] { return c.status()->disconnects >= 1; }));
  sim = std::make_unique<test::sim_process>(dir.string());
  // The reference client would raise "server disconnected" here.
  CAF_CHECK_EQUAL(payload_of(c.read_property("spectrometer", "count")), "0");
}

CAF_TEST_FIXTURE_SCOPE_END()
