#pragma once

// The read-only fleet page served at `/`: one self-contained HTML document
// (inline CSS and script, no external assets) that renders the status
// document embedded in it at once, then fetches /status every 2 s. Each
// Thing is a row `<tr data-thing=ID data-state=STATE>` with its state,
// latency percentiles, request and error counts and the time of its last
// event. Readable on a phone (columns collapse) and a wall screen.

#include <string>

namespace holobroker::http {

/// The page with `status_json` (the status document) embedded for the first render.
std::string fleet_page(const std::string& status_json);

} // namespace holobroker::http
