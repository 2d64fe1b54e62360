#pragma once

#include <string_view>

namespace holobroker::fuzz {

/// Whether nlohmann-json accepts `text` as one RFC 8259 document: the
/// reference of fuzz_wire's differential check of the codec's JSON reader.
bool reference_json_accepts(std::string_view text);

} // namespace holobroker::fuzz
