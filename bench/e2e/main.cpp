// holobroker-bench: every path measured side by side in one run, with ratios
// to the raw libzmq limit of the same run (issue 6). Prints Markdown tables;
// never fails on timing (the exit code only says whether every path ran).
//
// Paths, per transport (ipc, tcp) and workload (small, 1KiB, 1MiB):
//   raw       raw ROUTER client <-> raw ROUTER echo thread (the limit)
//   thing-sim raw ROUTER client <-> thing-sim (its own ceiling)
//   raw-proxy raw ROUTER client -> minimal forwarder (child process) -> thing-sim
//             (the yardstick of the daemon path, issue 10)
//   client    CAF driver actor -> client_actor -> thing-sim
//   blocking  blocking_client (non-actor code) -> client_actor -> thing-sim
//   daemon    raw ROUTER client -> holobrokerd front end -> thing-sim
// Each repetition runs every path back to back, so ratios pair figures
// taken under the same machine load. The goals of issue 10 are judged per
// row (goals column) and summed up in a verdict table at the end.
// Then the groups of issues 11 and 12 (groups.hpp: the CURVE front end vs
// plain TCP, through one peer broker, a misbehaving neighbour), each with
// its own pairs measured back to back, and fleet scale: holobrokerd with
// 10, 100, 1000 Things.

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "client_path.hpp"
#include "daemon_process.hpp"
#include "fleet.hpp"
#include "groups.hpp"
#include "holobroker/client/type_ids.hpp"
#include "holobroker/transport/zmq_transport.hpp"
#include "holobroker/wire/response.hpp"
#include "machine.hpp"
#include "raw_client.hpp"
#include "raw_echo.hpp"
#include "raw_proxy.hpp"
#include "report.hpp"
#include "sim_process.hpp"

#ifndef HOLOBROKER_BENCH_THING_SIM
#  define HOLOBROKER_BENCH_THING_SIM "thing-sim"
#endif
#ifndef HOLOBROKER_BENCH_HOLOBROKERD
#  define HOLOBROKER_BENCH_HOLOBROKERD "holobrokerd"
#endif

using namespace holobroker;
using namespace holobroker::bench;

namespace {

std::string make_work_dir() {
  auto base = std::filesystem::temp_directory_path() / "holobroker-bench-XXXXXX";
  std::string path = base.string();
  if (!mkdtemp(path.data()))
    throw std::runtime_error("cannot create a temporary directory");
  return path;
}

std::string utc_now() {
  auto t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&t));
  return buf;
}

struct options {
  bool quick = false;
  int repeat = 3;
  int window = 64;
  int client_rate = 0;
  int client_burst = 0;
  double idle_seconds = 10;
  std::vector<std::string> transports{"ipc", "tcp"};
  std::vector<std::string> loads{"small", "1KiB", "1MiB"};
  std::vector<std::string> paths{"raw", "thing-sim", "raw-proxy", "client", "blocking", "daemon"};
  std::vector<int> fleet{10, 100, 1000};
  std::vector<std::string> groups{"curve", "peer", "neighbour"};
  std::string scheduler = "wake";
  std::string thing_sim = HOLOBROKER_BENCH_THING_SIM;
  std::string holobrokerd = HOLOBROKER_BENCH_HOLOBROKERD;
};

bool wanted(const std::vector<std::string>& list, const std::string& x) {
  return std::find(list.begin(), list.end(), x) != list.end();
}

/// The CAF scheduler of the bench process (the client-actor paths):
///   caf     - CAF 0.17's defaults: an idle worker polls, then sleeps 50 us
///             between polls for 500 rounds before it waits on its condition
///             variable; a message arriving meanwhile waits out the sleep.
///   wake    - work stealing without the 50 us sleeps: after the short
///             aggressive poll an idle worker waits on its condition variable
///             and enqueueing wakes it at once (the default here: same p50
///             as sharing, ~25 % more pipelined req/s, no global queue lock).
///   sharing - CAF's work-sharing scheduler (one queue, condition variable);
///             what holobrokerd and the holobroker CLI use.
/// Except for `caf`, no more workers than cores (CAF's default is at least 4).
void apply_scheduler(caf::actor_system_config& cfg, const std::string& name) {
  if (name != "caf")
    cfg.set("scheduler.max-threads",
            static_cast<std::size_t>(std::max(1u, std::thread::hardware_concurrency())));
  if (name == "wake") {
    cfg.set("work-stealing.moderate-poll-attempts", std::size_t{0});
  } else if (name == "sharing") {
    cfg.set("scheduler.policy", caf::atom("sharing"));
  } else if (name != "caf") {
    throw std::runtime_error("unknown scheduler setting '" + name + "' (caf, wake, sharing)");
  }
}

/// Which thing-sim server and Thing each transport uses (one server per
/// transport, so the daemon can reach one over IPC and one over TCP).
struct target {
  std::string server;
  std::string thing;
};

const std::map<std::string, target> targets{{"ipc", {"sim-0", "thing-0-0"}},
                                            {"tcp", {"sim-1", "thing-1-0"}}};

/// The bench binary itself: the raw proxy runs as it, in its hidden mode.
std::string self_program() {
  return std::filesystem::read_symlink("/proc/self/exe").string();
}

void run_paths(const options& opt, const std::string& work_dir, verdict_table& verdicts) {
  sim_options so;
  so.program = opt.thing_sim;
  so.work_dir = work_dir + "/sim";
  std::filesystem::create_directories(so.work_dir);
  so.servers = 2;
  so.tcp = true;
  sim_process sim{so};

  daemon_options dopts;
  dopts.program = opt.holobrokerd;
  dopts.work_dir = work_dir + "/daemon";
  std::filesystem::create_directories(dopts.work_dir);
  dopts.tcp = true;
  for (const auto& [tx, t] : targets)
    dopts.things.push_back({t.thing, t.server, sim.address(t.server, tx)});
  std::unique_ptr<daemon_process> daemon;
  if (wanted(opt.paths, "daemon"))
    daemon = std::make_unique<daemon_process>(dopts);

  caf::actor_system_config cfg;
  client::add_message_types(cfg);
  cfg.set("logger.verbosity", caf::atom("quiet"));
  apply_scheduler(cfg, opt.scheduler);
  caf::actor_system sys{cfg};
  auto transports = transport::make_zmq_transport_factory();
  zmq::context_t ctx;

  for (const auto& w : standard_workloads(opt.quick)) {
    // Sizes as the raw client sends them to thing-sim (ids differ by a few
    // bytes between paths).
    auto req = make_request(w, "bench-sim-ipc", "sim-0", "thing-0-0");
    auto frames = wire::craft_request("sim-0", req);
    auto reply = wire::make_response(wire::message_type::reply, req.header, "sim-0");
    fmt::print("# {}: {} {}, request header {} B, reply header ~{} B, payload {} B, "
               "preserialized {} B\n",
               w.name, w.operation, w.objekt, frames[2].size(),
               wire::encode(reply.header).size(), w.payload.size(), w.preserialized.size());
  }
  fmt::print("\n");
  print_path_header();
  for (const auto& tx : opt.transports) {
    const auto& t = targets.at(tx);
    const auto& sim_addr = sim.address(t.server, tx);
    std::unique_ptr<client_path> client;
    if (wanted(opt.paths, "client") || wanted(opt.paths, "blocking"))
      client = std::make_unique<client_path>(sys, transports, sim_addr, t.server);
    raw_client sim_client{ctx, "bench-sim-" + tx, sim_addr, t.server};
    sim_client.handshake(std::chrono::seconds{10});
    std::unique_ptr<raw_proxy_process> proxy;
    std::unique_ptr<raw_client> proxy_client;
    if (wanted(opt.paths, "raw-proxy")) {
      raw_proxy_options po;
      po.bind = tx == "tcp" ? std::string{"tcp://127.0.0.1:0"}
                            : "ipc://" + work_dir + "/raw-proxy-" + tx + ".ipc";
      po.proxy_id = "bench-raw-proxy";
      po.upstream = sim_addr;
      po.server_id = t.server;
      po.upstream_id = "bench-raw-proxy-upstream-" + tx;
      proxy = std::make_unique<raw_proxy_process>(self_program(), po,
                                                  work_dir + "/raw-proxy-" + tx + ".log");
      proxy_client = std::make_unique<raw_client>(ctx, "bench-proxy-" + tx, proxy->frontend(),
                                                  proxy->proxy_id());
      proxy_client->handshake(std::chrono::seconds{10});
    }
    std::unique_ptr<raw_client> daemon_client;
    if (daemon) {
      daemon_client = std::make_unique<raw_client>(ctx, "bench-daemon-" + tx,
                                                   daemon->frontend(tx), daemon->broker_id());
      daemon_client->handshake(std::chrono::seconds{10});
    }
    for (const auto& w : standard_workloads(opt.quick)) {
      if (!wanted(opt.loads, w.name))
        continue;
      auto sim_pool = sim_client.request_pool(w, {t.thing});
      std::vector<wire::multipart> proxy_pool;
      if (proxy_client)
        proxy_pool = proxy_client->request_pool(w, {t.thing});
      std::vector<wire::multipart> daemon_pool;
      if (daemon_client)
        daemon_pool = daemon_client->request_pool(w, {t.thing});
      std::vector<path_row> rows;
      for (const auto& p : opt.paths) {
        path_row row;
        row.path = p;
        row.transport = tx;
        row.load = w.name;
        row.has_throughput = p != "blocking";
        rows.push_back(std::move(row));
      }
      std::vector<path_figures> raw_runs;
      for (int r = 0; r < opt.repeat; ++r) {
        auto raw = run_raw_echo(tx, w, work_dir, opt.window);
        raw_runs.push_back(raw);
        for (auto& row : rows) {
          if (row.path == "raw")
            row.runs.push_back(raw);
          else if (row.path == "thing-sim")
            row.runs.push_back(sim_client.measure(sim_pool, w, opt.window));
          else if (row.path == "raw-proxy")
            row.runs.push_back(proxy_client->measure(proxy_pool, w, opt.window));
          else if (row.path == "client")
            row.runs.push_back(client->measure(w, t.thing, opt.window));
          else if (row.path == "blocking")
            row.runs.push_back(client->measure_blocking(w, t.thing));
          else if (row.path == "daemon")
            row.runs.push_back(daemon_client->measure(daemon_pool, w, opt.window));
        }
      }
      std::vector<path_figures> sim_runs;
      std::vector<path_figures> proxy_runs;
      for (const auto& row : rows) {
        if (row.path == "thing-sim")
          sim_runs = row.runs;
        else if (row.path == "raw-proxy")
          proxy_runs = row.runs;
      }
      for (auto& row : rows) {
        row.raw_runs = raw_runs;
        row.sim_runs = sim_runs;
        row.proxy_runs = proxy_runs;
        print_path_row(row, verdicts);
      }
    }
  }
}

void run_fleets(const options& opt, const std::string& work_dir, verdict_table& verdicts) {
  if (opt.fleet.empty())
    return;
  fmt::print("\n");
  print_fleet_header();
  for (int n : opt.fleet) {
    fleet_options fo;
    fo.thing_sim = opt.thing_sim;
    fo.holobrokerd = opt.holobrokerd;
    fo.work_dir = fmt::format("{}/fleet-{}", work_dir, n);
    fo.things = n;
    fo.idle_seconds = opt.idle_seconds;
    fo.window = opt.window;
    fo.requests = opt.quick ? 5000 : 50000;
    fo.repeat = opt.repeat;
    try {
      print_fleet_row(run_fleet(fo), verdicts);
    } catch (const std::exception& ex) {
      // A fleet size that does not come up is a finding, not the end of the run.
      print_fleet_failure(n, ex.what(), verdicts);
    }
  }
}

/// Runs the groups asked for; a group that fails is reported and the run
/// goes on (its goals then read "not run"). False if any failed.
bool run_groups(const options& opt, const std::string& work_dir, verdict_table& verdicts) {
  group_options go;
  go.thing_sim = opt.thing_sim;
  go.holobrokerd = opt.holobrokerd;
  go.work_dir = work_dir;
  go.quick = opt.quick;
  go.repeat = opt.repeat;
  go.window = opt.window;
  go.loads = opt.loads;
  go.client_rate = opt.client_rate;
  go.client_burst = opt.client_burst;
  bool ok = true;
  for (const auto& g : opt.groups) {
    try {
      if (g == "curve")
        run_curve_group(go, verdicts);
      else if (g == "peer")
        run_peer_group(go, verdicts);
      else if (g == "neighbour")
        run_neighbour_group(go, verdicts);
    } catch (const std::exception& ex) {
      fmt::print("\n## group {} FAILED: {}\n", g, ex.what());
      std::fflush(stdout);
      ok = false;
    }
  }
  return ok;
}

} // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && argv[1] == raw_proxy_mode)
    return raw_proxy_main(std::vector<std::string>(argv + 2, argv + argc));
  CLI::App app{"holobroker-bench: holobroker paths against the raw libzmq limit"};
  options opt;
  bool idle_set = false;
  app.add_flag("--quick", opt.quick, "smaller iteration counts, 1 s idle period (smoke run)");
  app.add_option("--repeat", opt.repeat, "repetitions per figure (median reported)")
    ->check(CLI::Range(1, 50));
  app.add_option("--client-rate", opt.client_rate,
                 "neighbour group: limits.max_requests_per_second_per_client (0: unset)")
    ->check(CLI::NonNegativeNumber);
  app.add_option("--client-burst", opt.client_burst,
                 "neighbour group: limits.request_burst_per_client (0: unset)")
    ->check(CLI::NonNegativeNumber);
  app.add_option("--window", opt.window, "requests in flight for throughput")
    ->check(CLI::Range(1, 1000));
  app.add_option("--idle-seconds", opt.idle_seconds, "idle period of the fleet CPU figure")
    ->check(CLI::Range(0.1, 600.0))
    ->each([&](const std::string&) { idle_set = true; });
  app.add_option("--transports", opt.transports, "ipc, tcp")->delimiter(',');
  app.add_option("--loads", opt.loads, "small, 1KiB, 1MiB")->delimiter(',');
  app.add_option("--paths", opt.paths, "raw, thing-sim, raw-proxy, client, blocking, daemon (empty: none)")
    ->delimiter(',');
  app.add_option("--groups", opt.groups,
                 "curve (CURVE vs plain TCP), peer (through one peer broker), neighbour "
                 "(a flooding / never-reading client next to a measured one); empty: none")
    ->delimiter(',')
    ->check(CLI::IsMember({"curve", "peer", "neighbour", ""}));
  app.add_option("--fleet", opt.fleet, "fleet sizes in Things (0: no fleet runs)")
    ->delimiter(',');
  app.add_option("--scheduler", opt.scheduler,
                 "CAF scheduler of the client-actor paths: wake (default), sharing, caf (CAF defaults)")
    ->check(CLI::IsMember({"caf", "wake", "sharing"}));
  app.add_option("--thing-sim", opt.thing_sim, "path of thing-sim");
  app.add_option("--holobrokerd", opt.holobrokerd, "path of holobrokerd");
  CLI11_PARSE(app, argc, argv);
  if (opt.quick && !idle_set)
    opt.idle_seconds = 1;
  std::erase(opt.fleet, 0);
  std::erase(opt.paths, "");
  std::erase(opt.groups, "");
  if (!wanted(opt.paths, "raw"))
    opt.paths.insert(opt.paths.begin(), "raw"); // every ratio needs it
  spdlog::set_level(spdlog::level::warn);

  auto work_dir = make_work_dir();
  fmt::print("# holobroker-bench {}\n", utc_now());
  fmt::print("# machine: {}\n", describe_machine());
  fmt::print("# {} repetitions (medians, min-max), window {}, idle period {} s, CAF scheduler "
             "'{}'{}\n",
             opt.repeat, opt.window, opt.idle_seconds, opt.scheduler, opt.quick ? ", quick" : "");
  fmt::print("# work dir {}\n\n", work_dir);
  int code = EXIT_SUCCESS;
  verdict_table verdicts;
  try {
    run_paths(opt, work_dir, verdicts);
    if (!run_groups(opt, work_dir, verdicts))
      code = EXIT_FAILURE;
    run_fleets(opt, work_dir, verdicts);
    print_verdicts(verdicts);
  } catch (const std::exception& ex) {
    std::cerr << "holobroker-bench: " << ex.what() << " (logs under " << work_dir << ")\n";
    return EXIT_FAILURE; // keep the work dir for the logs
  }
  fmt::print("\n# load average at the end: {}\n", load_average());
  if (code == EXIT_SUCCESS)
    std::filesystem::remove_all(work_dir);
  else
    std::cerr << "holobroker-bench: a group failed (logs under " << work_dir << ")\n";
  return code;
}
