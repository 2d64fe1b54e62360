#pragma once

// The status document (broker/introspection.hpp) as Prometheus text
// exposition format 0.0.4: one HELP and TYPE line per family, units in
// names (`_seconds`), `_total` on counters, a `thing` label per Thing.
// Rendering from the status document keeps one source for `holobroker
// status`, /status and /metrics.

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace holobroker::http {

/// The exposition of `status`; missing members read as zero.
std::string metrics_text(const nlohmann::json& status);

/// `value` escaped for a label value (backslash, double quote, newline).
std::string escape_label(const std::string& value);

} // namespace holobroker::http
