// The self-check of cpu_budget.hpp that fuzz/run.sh runs before fuzzing: an
// input starting with "spin" never ends, and the CPU-time budget (set to 1 s
// by run.sh) must turn it into a crash artifact long before the wall-clock
// -timeout. Any other input returns at once.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cpu_budget.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  holobroker::fuzz::cpu_budget budget;
  std::string_view input{reinterpret_cast<const char*>(data), size};
  if (input.substr(0, 4) == "spin") {
    volatile std::uint64_t n = 0;
    for (;;)
      n = n + 1; // an endless loop that burns CPU, as a hang in a parser would
  }
  return 0;
}
