#include "proc_stats.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <unistd.h>

namespace holobroker::bench {

proc_snapshot read_proc(pid_t pid) {
  proc_snapshot out;
  auto base = "/proc/" + std::to_string(pid);
  std::ifstream status{base + "/status"};
  if (!status)
    throw std::runtime_error("process " + std::to_string(pid) + " is gone");
  std::string line;
  while (std::getline(status, line)) {
    std::istringstream in{line};
    std::string key;
    double value = 0;
    in >> key >> value;
    if (key == "VmRSS:")
      out.rss_mb = value * 1024.0 / 1e6;
    else if (key == "VmHWM:")
      out.peak_rss_mb = value * 1024.0 / 1e6;
    else if (key == "Threads:")
      out.threads = static_cast<int>(value);
  }
  std::ifstream stat_file{base + "/stat"};
  std::string stat;
  std::getline(stat_file, stat);
  // Fields after the command name (which may contain spaces) start at ')'.
  auto close = stat.rfind(')');
  if (close == std::string::npos)
    throw std::runtime_error("unreadable " + base + "/stat");
  std::istringstream in{stat.substr(close + 2)};
  std::string field;
  // state(3) ... utime(14) stime(15): 11 fields to skip after the state.
  for (int i = 3; i < 14; ++i)
    in >> field;
  unsigned long long utime = 0, stime = 0;
  in >> utime >> stime;
  out.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  return out;
}

} // namespace holobroker::bench
