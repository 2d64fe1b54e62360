// thing-sim: simulated hololinked 0.4 Thing servers. See README.md.

#include <csignal>
#include <cstdio>
#include <iostream>

#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "sim_config.hpp"
#include "simulator.hpp"

using namespace holobroker::sim;

namespace {

int fail(const std::string& message) {
  std::cerr << "thing-sim: error: " << message << std::endl;
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"thing-sim: simulated hololinked 0.4 Thing servers over ZeroMQ"};
  std::string config_file;
  std::string temp_dir;
  std::string tcp;
  bool no_ipc = false;
  int servers = 0;
  int things = 0;
  int first_server = 0;
  std::string log_level;
  double event_period = -1;
  unsigned seed = 0;
  std::vector<std::string> faults;
  app.add_option("--config", config_file, "YAML configuration file")->check(CLI::ExistingFile);
  app.add_option("--temp-dir", temp_dir,
                 "IPC base directory (sockets in DIR/sockets) instead of $HOME/.hololinked");
  app.add_option("--tcp", tcp, "also listen on TCP HOST:PORT (events on PORT+1; 0 = any port)");
  app.add_flag("--no-ipc", no_ipc, "do not listen on IPC");
  app.add_option("--servers", servers, "generate N servers sim-<i> (fleet benchmarks)")
    ->check(CLI::Range(1, 100000));
  app.add_option("--things", things, "generate N Things thing-<i>-<j> per server")
    ->check(CLI::Range(1, 100000));
  app.add_option("--first-server", first_server,
                 "number generated servers from I: sim-<I>, thing-<I>-<j>, ... (one fleet "
                 "served by several processes)")
    ->check(CLI::Range(0, 1000000));
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, off");
  app.add_option("--event-period", event_period,
                 "period in seconds of every periodic event (0 = none)")
    ->check(CLI::NonNegativeNumber);
  app.add_option("--seed", seed, "random seed for jitter/drop/garbage faults");
  app.add_option("--fault", faults,
                 "THING:MODE[,key=value...] e.g. spectrometer:latency,fixed_ms=5 "
                 "(THING * = all; modes latency, drop, garbage, silent)");
  CLI11_PARSE(app, argc, argv);

  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("thing-sim", sink));

  sim_config cfg = default_config();
  if (!config_file.empty()) {
    auto loaded = load_config_file(config_file);
    if (!loaded)
      return fail(loaded.error());
    cfg = std::move(*loaded);
  }
  if (servers > 0 || things > 0)
    cfg.servers = generated_fleet(servers > 0 ? servers : 1, things > 0 ? things : 1,
                                  first_server);
  if (!temp_dir.empty())
    cfg.temp_dir = temp_dir;
  if (!tcp.empty())
    cfg.tcp = tcp;
  if (no_ipc)
    cfg.ipc = false;
  if (!log_level.empty())
    cfg.log_level = log_level;
  if (seed != 0)
    cfg.seed = seed;
  if (event_period >= 0)
    for (auto& s : cfg.servers)
      for (auto& t : s.things)
        for (auto& e : t.events)
          if (e.period_s > 0)
            e.period_s = event_period;
  if (!cfg.ipc && !cfg.tcp)
    return fail("nothing to listen on: --no-ipc needs --tcp HOST:PORT");
  auto level = spdlog::level::from_str(cfg.log_level);
  if (level == spdlog::level::off && cfg.log_level != "off")
    return fail("unknown log level \"" + cfg.log_level + "\"");
  spdlog::set_level(level);
  if (auto err = validate(cfg))
    return fail(*err);

  // Large fleets need a few file descriptors per server: use the hard limit.
  if (rlimit lim{}; ::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }

  // Block the shutdown signals before libzmq starts its threads; the event
  // loop receives them through a signalfd.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  try {
    simulator sim{cfg};
    for (const auto& f : faults) {
      auto colon = f.find(':');
      if (colon == std::string::npos)
        return fail("--fault " + f + ": expected THING:MODE[,key=value...]");
      fault_spec spec;
      if (auto err = parse_fault_flag(f.substr(colon + 1), spec))
        return fail("--fault " + f + ": " + *err);
      if (auto err = sim.apply_fault(f.substr(0, colon), spec))
        return fail("--fault " + f + ": " + *err);
    }
    sim.bind();
    for (const auto& line : sim.listening_lines()) {
      std::fputs((line + "\n").c_str(), stdout);
      std::fflush(stdout);
    }
    std::fputs("ready\n", stdout);
    std::fflush(stdout);
    auto code = sim.run(true);
    spdlog::info("stopped");
    return code;
  } catch (const std::exception& ex) {
    return fail(ex.what());
  }
}
