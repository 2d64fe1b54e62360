#pragma once

// How holobrokerd sets up its CAF actor system (scheduler, middleman), in
// one place: the daemon applies it, and holobroker-bench measures the floor
// of a hop between brokers with exactly these settings.

#include <cstddef>

#include <caf/fwd.hpp>

namespace holobroker::broker {

/// Messages an actor handles before it yields its worker.
inline constexpr std::size_t daemon_max_throughput = 8;

/// CAF's logger quiet (holobroker logs with spdlog), the sharing scheduler
/// (HOLOBROKER_SCHEDULER names another policy) with one worker per core and
/// daemon_max_throughput messages per slice, and no deserializing workers in
/// the middleman. Loading the middleman is the caller's choice.
void apply_daemon_actor_settings(caf::actor_system_config& cfg);

} // namespace holobroker::broker
