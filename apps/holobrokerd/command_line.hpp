#pragma once

// holobrokerd's command line (CLI11; CAF never sees argv).

#include <optional>
#include <string>

namespace holobroker::daemon {

struct command_line {
  std::string config_file;
  bool check_config = false;
  bool version = false;
  /// Overrides broker.logging.level.
  std::optional<std::string> log_level;
};

/// Parses argv; on --help or a usage error prints CLI11's message and
/// returns the exit code to end with.
std::optional<int> parse_command_line(int argc, char** argv, command_line& out);

} // namespace holobroker::daemon
