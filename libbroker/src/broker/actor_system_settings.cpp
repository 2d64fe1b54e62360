#include "holobroker/broker/actor_system_settings.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>

namespace holobroker::broker {

void apply_daemon_actor_settings(caf::actor_system_config& cfg) {
  cfg.set("logger.verbosity", caf::atom("quiet"));
  // A request crosses about five actors; with CAF's work-stealing default an
  // idle worker polls with sleeps, which added ~80 us (p50) and ~280 us (p99)
  // per request here. The sharing scheduler wakes a worker at once.
  // HOLOBROKER_SCHEDULER=stealing restores CAF's default.
  const char* policy = std::getenv("HOLOBROKER_SCHEDULER");
  cfg.set("scheduler.policy",
          caf::atom_from_string(std::string{policy != nullptr ? policy : "sharing"}));
  // CAF's default is max(cores, 4) workers; more workers than cores only add
  // hand-offs here (the work is short message passing), and threads.
  cfg.set("scheduler.max-threads",
          static_cast<size_t>(std::max(1u, std::thread::hardware_concurrency())));
  // CAF's default lets a resumed actor run until its mailbox is empty. A
  // client that floods the front end (or keeps one Thing's connection busy)
  // keeps that mailbox full, so with as many workers as cores the busy
  // actors would hold every worker and the actors of everybody else's
  // requests would wait for a gap (stalls of up to ~1 s next to a flooding
  // client in holobroker-bench's neighbour group). A bound makes a busy
  // actor go to the back of the queue after this many messages: each other
  // client's request waits for a few such slices (front end, connection,
  // front end), so the bound is short. 8 instead of 64 cut the p50 of a
  // read next to a flooding client by ~40 % with the pipelined daemon path
  // unchanged; 4 and below cost pipelined throughput (docs/BENCHMARKS.md,
  // "Neighbours, one thing-sim per server").
  cfg.set("scheduler.max-throughput", daemon_max_throughput);
  // With the middleman loaded (federation, broker.middleman), CAF 0.17 hands
  // every message from a peer to a deserializing worker job on the
  // scheduler, which then enqueues it to its actor: one more thread hand-off
  // per message each way across. Without workers the multiplexer thread
  // deserializes and enqueues at once (traced with perf sched events: one
  // wake-up less on each broker per request; pipelined through one peer no
  // lower, docs/BENCHMARKS.md).
  cfg.set("middleman.workers", size_t{0});
}

} // namespace holobroker::broker
