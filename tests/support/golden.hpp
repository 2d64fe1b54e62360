#pragma once

// Loads the wire captures of the real hololinked 0.4 from
// ../shared/golden/hololinked-0.4 (path compiled in by CMake, overridable with
// $HOLOBROKER_GOLDEN_DIR). The files are read at test time, never copied.

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "holobroker/wire/frames.hpp"

namespace holobroker::test {

enum class direction { client_to_server, server_to_client };

struct golden_message {
  direction dir;
  /// Frames exactly as in the capture (client application view: frame 0 is
  /// the server's routing id; for events frame 0 is the topic).
  wire::multipart frames;
  /// `header_parsed` when the capture has it, else null.
  nlohmann::json header_parsed;
  /// The client's routing id as the server application saw it, if recorded.
  std::string server_view_frame0;
  double t_ms = 0;
};

struct golden_capture {
  std::string file; ///< file name, e.g. "ipc-readproperty-number.json"
  std::string description;
  std::string transport;
  nlohmann::json raw;
  std::vector<golden_message> messages;
};

std::filesystem::path golden_dir();

/// Every `*.json` capture, sorted by file name. Throws if the directory is
/// missing, so a test run without the captures fails loudly.
std::vector<golden_capture> load_all_golden();

/// One capture by file name.
golden_capture load_golden(const std::string& file);

} // namespace holobroker::test
