#define CAF_SUITE live_scaling
#include <caf/test/unit_test.hpp>

#include <filesystem>
#include <thread>

#include <sys/resource.h>

#include "live_fixture.hpp"

using namespace holobroker;
using namespace holobroker::client;
using namespace std::chrono_literals;

namespace {

std::size_t thread_count() {
  std::size_t n = 0;
  for ([[maybe_unused]] auto& entry : std::filesystem::directory_iterator{"/proc/self/task"})
    ++n;
  return n;
}

std::chrono::microseconds cpu_time() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto us = [](const timeval& tv) {
    return std::chrono::seconds{tv.tv_sec} + std::chrono::microseconds{tv.tv_usec};
  };
  return us(ru.ru_utime) + us(ru.ru_stime);
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(live_scaling_tests, holobroker::test::live_fixture)

CAF_TEST(the thread count does not grow with connections and an idle fleet sleeps) {
  test::sim_process sim{dir.string()};
  caf::scoped_actor self{sys};
  auto connect = [&](client_actor c) {
    bool ok = false;
    self->request(c, caf::infinite, handshake_atom_v)
      .receive([&](caf::timespan) { ok = true; },
               [&](caf::error& err) { CAF_FAIL("handshake failed: " << describe(err)); });
    return ok;
  };
  std::vector<client_actor> clients;
  clients.push_back(spawn_client(sys, config(sim.ipc_address), factory));
  CAF_REQUIRE(connect(clients.back()));
  auto threads_with_one = thread_count();
  auto idle_cpu = [] {
    auto before = cpu_time();
    std::this_thread::sleep_for(1s);
    return cpu_time() - before;
  };
  auto idle_one = idle_cpu();
  constexpr int fleet = 300;
  for (int i = 1; i < fleet; ++i)
    clients.push_back(spawn_client(sys, config(i % 2 ? sim.ipc_address : sim.tcp_address),
                                   factory));
  for (auto& c : clients)
    CAF_REQUIRE(connect(c));
  auto threads_with_fleet = thread_count();
  CAF_MESSAGE("threads: " << threads_with_one << " with 1 connection, " << threads_with_fleet
                          << " with " << fleet);
  CAF_CHECK_EQUAL(threads_with_one, threads_with_fleet);
  // Idle: nothing polls per socket (a polling loop would burn ~1 s of CPU
  // here). What remains is the CAF scheduler's own idle behaviour, the same
  // for 1 and for 300 connections (work-stealing workers nap in 10 ms steps;
  // scheduler.policy=sharing sleeps on a condition variable).
  idle_cpu(); // let the connection set-up settle (monitor events, timers)
  auto idle_fleet = idle_cpu();
  CAF_MESSAGE("CPU time over 1 s idle: " << idle_one.count() << " us with 1 connection, "
                                         << idle_fleet.count() << " us with " << fleet);
  CAF_CHECK_LESS(idle_fleet, 200ms);
  CAF_CHECK_LESS(idle_fleet, idle_one + 50ms);
  for (auto& c : clients)
    caf::anon_send_exit(c, caf::exit_reason::user_shutdown);
}

CAF_TEST_FIXTURE_SCOPE_END()
