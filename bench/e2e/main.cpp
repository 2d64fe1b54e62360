// holobroker-bench: every path measured side by side in one run, with ratios
// to the raw libzmq limit of the same run. Prints figures; never fails on
// timing.

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "raw_echo.hpp"
#include "stats.hpp"

using namespace holobroker::bench;

namespace {

struct repeated {
  std::vector<double> p50, p99, rps, mib;
  void add(const path_figures& f) {
    p50.push_back(f.rtt_p50_us);
    p99.push_back(f.rtt_p99_us);
    rps.push_back(f.throughput_rps);
    mib.push_back(f.bandwidth_mib_s);
  }
};

std::string make_work_dir() {
  auto base = std::filesystem::temp_directory_path() / "holobroker-bench-XXXXXX";
  std::string path = base.string();
  if (!mkdtemp(path.data()))
    throw std::runtime_error("cannot create a temporary directory");
  return path;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"holobroker-bench: holobroker paths against the raw libzmq limit"};
  bool quick = false;
  int repeat = 3;
  int window = 64;
  app.add_flag("--quick", quick, "smaller iteration counts (smoke run)");
  app.add_option("--repeat", repeat, "repetitions per figure (median reported)")->check(
    CLI::Range(1, 50));
  app.add_option("--window", window, "requests in flight for throughput")->check(
    CLI::Range(1, 10000));
  CLI11_PARSE(app, argc, argv);

  auto work_dir = make_work_dir();
  fmt::print("# holobroker-bench: {} repetitions, window {}, work dir {}\n", repeat, window,
             work_dir);
  fmt::print("{:<8} {:<5} {:<6} {:>24} {:>24} {:>26} {:>12}\n", "path", "tx", "load",
             "rtt p50 us (min-max)", "rtt p99 us (min-max)", "pipelined req/s (min-max)",
             "MiB/s");
  for (const auto& transport : {"ipc", "tcp"}) {
    for (const auto& w : standard_workloads(quick)) {
      repeated raw;
      for (int r = 0; r < repeat; ++r)
        raw.add(run_raw_echo(transport, w, work_dir, window));
      fmt::print("{:<8} {:<5} {:<6} {:>24} {:>24} {:>26} {:>12.0f}\n", "raw", transport,
                 w.name, summarize(raw.p50).to_string(), summarize(raw.p99).to_string(),
                 summarize(raw.rps).to_string(0), summarize(raw.mib).median);
      std::fflush(stdout);
    }
  }
  std::filesystem::remove_all(work_dir);
  return EXIT_SUCCESS;
}
