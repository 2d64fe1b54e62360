#include "support/command_run.hpp"

#include <fstream>
#include <sstream>

#include "support/process.hpp"

namespace holobroker::test {

command_result run_command(const std::string& program, const std::vector<std::string>& args,
                           const std::string& scratch_dir, std::chrono::seconds timeout,
                           const std::string& stdin_file) {
  auto err_file = scratch_dir + "/command-stderr.txt";
  // child_process inherits stderr; a shell redirects it into a file instead.
  std::string script = "exec \"$0\" \"$@\" 2>\"$COMMAND_STDERR\"";
  if (!stdin_file.empty())
    script += " <\"$COMMAND_STDIN\"";
  std::vector<std::string> sh_args{"-c", script, program};
  sh_args.insert(sh_args.end(), args.begin(), args.end());
  child_process proc{"/bin/sh", sh_args,
                     {"COMMAND_STDERR=" + err_file, "COMMAND_STDIN=" + stdin_file}};
  command_result res;
  while (auto line = proc.read_line(timeout))
    res.out.push_back(*line);
  if (auto st = proc.wait_exit(timeout))
    res.exit_code = exit_code_of(*st);
  std::ifstream in{err_file};
  std::stringstream buf;
  buf << in.rdbuf();
  res.err = buf.str();
  return res;
}

} // namespace holobroker::test
