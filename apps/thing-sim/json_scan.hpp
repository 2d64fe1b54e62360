#pragma once

// A validating pass over a JSON payload without building a document
// (rapidjson SAX, ~1 GB/s): enough to answer DecodeError like the real
// server and to return an echo action's kwargs verbatim, so a 1 MiB echo
// costs one scan instead of a parse and a re-encode.

#include <string>
#include <string_view>

namespace holobroker::sim {

struct json_scan {
  bool valid = false;
  bool is_object = false;     ///< the top-level value is an object
  bool has_args_key = false;  ///< ... with a top-level "__args__" key
  std::string error;          ///< what is wrong when !valid
};

json_scan scan_json(std::string_view text);

} // namespace holobroker::sim
