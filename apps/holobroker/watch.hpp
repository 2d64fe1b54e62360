#pragma once

// `holobroker watch`: the broker's `status` as a live table, refreshed
// every interval like `top`. On a terminal each frame replaces the last;
// otherwise (a pipe, a test) frames follow each other, separated by a blank
// line, as `top -b` does. An unanswered `status` shows as an error line and
// the watch goes on (the broker may be restarting).

#include <chrono>
#include <iosfwd>
#include <optional>

#include <nlohmann/json_fwd.hpp>

#include "command.hpp"
#include "thing_access.hpp"

namespace holobroker::cli {

struct watch_options {
  std::chrono::duration<double> interval{2.0};
  std::optional<std::size_t> iterations; ///< stop after N frames (default: until SIGINT)
  bool clear_screen = false;             ///< replace frames (stdout is a terminal)
};

/// One frame: a broker line and a row per Thing.
std::string status_screen(const nlohmann::json& status);

/// Runs the watch with `status_cmd` (the `status` request); the exit code is
/// that of the last frame.
int run_watch(const command& status_cmd, const watch_options& opt, thing_access& access,
              std::ostream& out, std::ostream& err);

} // namespace holobroker::cli
