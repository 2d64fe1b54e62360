#pragma once

// Runs a command-line program to completion (bounded) and captures its exit
// code, stdout lines and stderr, for tests of our command-line tools.

#include <chrono>
#include <string>
#include <vector>

namespace holobroker::test {

struct command_result {
  int exit_code = -1; ///< -1 if it did not exit in time
  std::vector<std::string> out;
  std::string err;
};

/// Runs `program args...`; stderr goes to a file in `scratch_dir`; stdin
/// is `stdin_file` when given.
command_result run_command(const std::string& program, const std::vector<std::string>& args,
                           const std::string& scratch_dir,
                           std::chrono::seconds timeout = std::chrono::seconds{20},
                           const std::string& stdin_file = "");

} // namespace holobroker::test
