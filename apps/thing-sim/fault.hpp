#pragma once

// Fault injection for tests and soak runs. Faults are per Thing and can be set
// from the YAML file, from `--fault` flags and at run time with the hidden
// action `_sim_fault` (kwargs are a fault_spec in JSON, see README.md).

#include <chrono>
#include <optional>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "remote_error.hpp"

namespace holobroker::sim {

enum class fault_mode {
  none,    ///< clears every fault of the Thing
  latency, ///< adds fixed_ms + uniform(0, jitter_ms) execution time
  drop,    ///< drops a `fraction` of replies
  garbage, ///< answers a `fraction` of requests with garbage frames
  silent,  ///< answers nothing (for `duration_s`, or until cleared)
  restart, ///< closes the server's sockets, rebinds after `down_ms` (state reset)
  exit,    ///< the process exits with `code` after `delay_ms` (like a crash)
};

std::optional<fault_mode> parse_fault_mode(std::string_view text);
std::string_view to_string(fault_mode mode);

struct fault_spec {
  fault_mode mode = fault_mode::none;
  double fixed_ms = 0;
  double jitter_ms = 0;
  double fraction = 1.0;
  double duration_s = 0; ///< silent: 0 = until cleared
  double down_ms = 200;  ///< restart
  double delay_ms = 50;  ///< exit
  int code = 3;          ///< exit
};

/// From `{"mode": "...", ...}`; unknown keys or bad values are errors.
std::optional<remote_error> parse_fault(const nlohmann::json& obj, fault_spec& out);

/// From the flag syntax `MODE[,key=value...]`, e.g. `latency,fixed_ms=5`.
std::optional<std::string> parse_fault_flag(std::string_view text, fault_spec& out);

/// The faults currently active on one Thing.
class fault_state {
public:
  using clock = std::chrono::steady_clock;

  explicit fault_state(unsigned seed = 1) : rng_(seed) {}

  /// Applies a per-Thing fault (restart/exit are server-level and only recorded).
  void apply(const fault_spec& spec, clock::time_point now);

  /// Extra execution time for the next operation.
  std::chrono::nanoseconds next_latency();

  /// Whether the next reply is swallowed (silent or dropped).
  bool swallow_reply(clock::time_point now);

  /// Whether the next reply is replaced by garbage frames.
  bool garble_reply();

  bool any() const noexcept;

private:
  double fixed_ms_ = 0;
  double jitter_ms_ = 0;
  double drop_fraction_ = 0;
  double garbage_fraction_ = 0;
  bool silent_ = false;
  std::optional<clock::time_point> silent_until_;
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> unit_{0.0, 1.0};
};

} // namespace holobroker::sim
