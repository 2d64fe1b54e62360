#pragma once

// The floor of a hop between brokers: a bare CAF request/response across the
// middleman on loopback, with the typed messages the front end sends a
// Thing's client actor (operation_request / operation_reply of the
// workload's payload), between two actor systems set up as holobrokerd
// sets up its own (broker::apply_daemon_actor_settings). Like the raw echo,
// both ends live in this process with threads of their own (each system has
// its multiplexer and workers), as two processes would.

#include "figures.hpp"
#include "workload.hpp"

namespace holobroker::bench {

/// One echo actor published on 127.0.0.1 by one system and asked by a
/// blocking actor of the other: round trips one at a time, then `window`
/// in flight.
path_figures run_caf_echo(const workload& w, int window);

} // namespace holobroker::bench
