#include "machine.hpp"

#include <fstream>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <sys/utsname.h>

namespace holobroker::bench {

namespace {

std::string first_value(const std::string& file, const std::string& key) {
  std::ifstream in{file};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) {
      auto colon = line.find(':');
      auto value = colon == std::string::npos ? std::string{} : line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      return value;
    }
  return "?";
}

} // namespace

std::string load_average() {
  std::ifstream in{"/proc/loadavg"};
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

std::string describe_machine() {
  utsname u{};
  uname(&u);
  return fmt::format("{}, {} cores, {} RAM, Linux {}, load average {}",
                     first_value("/proc/cpuinfo", "model name"),
                     std::thread::hardware_concurrency(),
                     first_value("/proc/meminfo", "MemTotal"), u.release, load_average());
}

} // namespace holobroker::bench
