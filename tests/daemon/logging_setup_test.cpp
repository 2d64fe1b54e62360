// holobrokerd's logging set-up, which SIGHUP runs again while the actors'
// threads log: it must change where lines go without ever replacing the
// logger those threads are using (under ASan, a replaced default logger is a
// heap-use-after-free in the logging threads).
#define CAF_SUITE daemon.logging
#include <caf/test/unit_test.hpp>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "logging_setup.hpp"
#include "support/temp_dir.hpp"

using namespace holobroker;

namespace {

std::string read_all(const std::string& path) {
  std::ifstream in{path};
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

} // namespace

CAF_TEST(setting up logging again while other threads log keeps one logger and moves the lines) {
  test::temp_dir dir{"holobroker-logging"};
  config::logging_config first;
  first.file = dir.string() + "/first.log";
  CAF_REQUIRE(daemon::setup_logging(first).has_value());
  auto* logger = spdlog::default_logger_raw();
  // Below the level: every call still reads the logger (its level), which
  // is what a replaced logger would have freed under the threads.
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i)
    threads.emplace_back([&stop] {
      while (!stop)
        spdlog::debug("not written: level info");
    });
  config::logging_config second;
  second.file = dir.string() + "/second.log";
  for (int i = 0; i < 200; ++i)
    CAF_REQUIRE(daemon::setup_logging(i % 2 == 0 ? second : first).has_value());
  CAF_REQUIRE(daemon::setup_logging(second).has_value());
  stop = true;
  for (auto& t : threads)
    t.join();
  CAF_CHECK(spdlog::default_logger_raw() == logger);
  spdlog::warn("logging test: after the last set-up");
  spdlog::default_logger_raw()->flush();
  CAF_CHECK(read_all(second.file).find("logging test: after the last set-up") != std::string::npos);
  CAF_CHECK(read_all(first.file).find("logging test: after the last set-up") == std::string::npos);
  CAF_CHECK(read_all(first.file).find("not written") == std::string::npos);
  // A bad level is refused and changes nothing.
  config::logging_config bad;
  bad.level = "loud";
  CAF_CHECK(!daemon::setup_logging(bad).has_value());
  CAF_CHECK(spdlog::default_logger_raw() == logger);
}
