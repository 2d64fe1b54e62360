// The reference JSON validator of fuzz_wire, in a file of its own so that it
// is built with ASan and UBSan but without libFuzzer's coverage
// instrumentation (fuzz/CMakeLists.txt): the oracle judges, it does not
// guide. Instrumented, nlohmann's lexer was a quarter of fuzz_wire's run time
// (a comparison callback per byte) and its branches were "new coverage" that
// kept inputs in the corpus for the reference's sake, not the codec's.

#include "json_oracle.hpp"

#include <nlohmann/json.hpp>

namespace holobroker::fuzz {

bool reference_json_accepts(std::string_view text) {
  return nlohmann::json::accept(text);
}

} // namespace holobroker::fuzz
