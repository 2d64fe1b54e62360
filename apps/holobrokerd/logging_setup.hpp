#pragma once

#include "holobroker/config/broker_config.hpp"
#include "holobroker/expected.hpp"

#include <string>

namespace holobroker::daemon {

/// Installs the default spdlog logger: stderr, with sd-daemon priority
/// prefixes (`<6>` for info, …) when stderr is connected to journald
/// ($JOURNAL_STREAM), plus an optional rotating file. Returns an error text
/// when the level is unknown or the log file cannot be opened. Called again
/// (SIGHUP) while other threads log, it swaps the sinks and the level of the
/// same logger: the default logger is installed once.
expected<bool, std::string> setup_logging(const config::logging_config& cfg);

} // namespace holobroker::daemon
