#pragma once

// The commands of the `holobroker` CLI, independent of how Things are reached.

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>

#include <caf/timespan.hpp>

#include "holobroker/wire/execution_context.hpp"
#include "thing_access.hpp"

namespace holobroker::cli {

enum class command_kind { read, write, invoke, subscribe, describe };

struct command {
  command_kind kind = command_kind::read;
  std::string thing;
  std::string name;             ///< property, action or event
  std::string json;             ///< write: the value; invoke: kwargs object ("" = {})
  std::optional<std::size_t> count; ///< subscribe: stop after this many events
  std::optional<caf::timespan> timeout; ///< client-side deadline
  bool pretty = false;              ///< indent JSON output (--pretty)
  bool json_output = false;         ///< describe: JSON instead of tables (--json)
  std::string protocol = "IPC";     ///< describe: the TD's protocol ("IPC", "TCP", "INPROC")
  wire::server_execution_context server_context = wire::default_operation_context();
};

/// Process exit codes.
enum exit_code : int {
  exit_ok = 0,
  exit_failure = 1,       ///< anything not listed below
  exit_usage = 2,         ///< bad command line or JSON argument
  exit_unreachable = 3,   ///< connection / disconnected
  exit_timeout = 4,       ///< client deadline or server-side timeout
  exit_remote_error = 5,  ///< the Thing raised, or the server rejected the request
};

/// Runs `cmd`: results to `out` (one JSON document per line), errors to
/// `err`; returns the exit code.
int run_command(const command& cmd, thing_access& access, std::ostream& out, std::ostream& err);

} // namespace holobroker::cli
