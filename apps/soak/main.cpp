// holobroker-soak: holobrokerd in front of thing-sim servers under load from
// several raw hololinked clients while faults are injected (servers killed,
// stopped and continued, stopped cleanly and restarted; malformed messages;
// clients that vanish mid-request; SIGHUP reloads of the daemon). Asserts
// that every request ends in exactly one outcome (ledger.hpp) and that the
// daemon's resident memory is flat after the warm-up; exits 1 with the
// violations named, 0 with the figures otherwise. README "Security" /
// docs/BENCHMARKS.md ("Soak") say how it is run.

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <zmq.hpp>

#include "clients.hpp"
#include "ledger.hpp"
#include "processes.hpp"

using namespace holobroker::soak;
using namespace std::chrono_literals;

namespace {

struct options {
  double duration_s = 30;
  double warmup_s = -1; // default: a quarter of the run, at most 60 s
  std::size_t servers = 3;
  std::size_t clients = 4;
  std::size_t window = 16;
  std::uint32_t seed = 1;
  double fault_period_s = 2;
  double answer_deadline_s = 30;
  double rss_tolerance_mb = 16;
  double rss_tolerance_pct = 20;
  bool faults = true;
  bool keep = false;
  std::string dir;
  paths bin{HOLOBROKERD_BINARY, THING_SIM_BINARY, ""};
};

struct sample {
  double t;
  long kib;
};

long median_kib(std::vector<long> v) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// Faults on a timeline: each one starts, and its end (continue, restart)
/// is queued as a later action.
class fault_injector {
public:
  fault_injector(std::vector<sim_server>& sims, broker_daemon& d, std::size_t servers,
                 std::uint32_t seed)
    : sims_(sims), daemon_(d), servers_(servers), rng_(seed) {}

  void step(clock_type::time_point now, bool start_new) {
    for (auto i = later_.begin(); i != later_.end();) {
      if (i->first <= now) {
        i->second();
        i = later_.erase(i);
      } else {
        ++i;
      }
    }
    if (!start_new || now < next_)
      return;
    next_ = now + period;
    auto kind = counts_.size() == 0 ? 0 : std::uniform_int_distribution<int>{0, 3}(rng_);
    auto s = std::uniform_int_distribution<std::size_t>{0, servers_ - 1}(rng_);
    auto& sim = sims_[s];
    if (kind != 3 && (!sim.running() || sim.paused()))
      kind = 3; // that server is already down: reload instead
    switch (kind) {
      case 0: // crash, restart after 500 ms
        sim.stop(SIGKILL);
        later_.emplace_back(now + 500ms, [&sim] { sim.start(); });
        ++counts_["killed"];
        break;
      case 1: // frozen for 3 s with requests in flight: server and broker timeouts, late replies
        sim.pause();
        later_.emplace_back(now + 3000ms, [&sim] { sim.resume(); });
        ++counts_["stopped"];
        break;
      case 2: // clean stop, restart after 300 ms
        sim.stop(SIGTERM);
        later_.emplace_back(now + 300ms, [&sim] { sim.start(); });
        ++counts_["terminated"];
        break;
      default: // SIGHUP: the last motor alternately removed and added back
        reduced_ = !reduced_;
        daemon_.reload(things_yaml(servers_, reduced_ ? std::optional<std::size_t>{servers_ - 1}
                                                      : std::nullopt));
        ++counts_["reloads"];
        break;
    }
  }

  /// Ends every fault now (continue, restart) and restores the full fleet.
  void heal() {
    for (auto& [due, action] : later_)
      action();
    later_.clear();
    for (auto& sim : sims_) {
      if (sim.paused())
        sim.resume();
      if (!sim.running())
        sim.start();
    }
    if (reduced_) {
      reduced_ = false;
      daemon_.reload(things_yaml(servers_));
    }
  }

  std::chrono::milliseconds period{2000};
  const std::map<std::string, std::uint64_t>& counts() const { return counts_; }

private:
  std::vector<sim_server>& sims_;
  broker_daemon& daemon_;
  std::size_t servers_;
  std::mt19937 rng_;
  clock_type::time_point next_{};
  std::vector<std::pair<clock_type::time_point, std::function<void()>>> later_;
  std::map<std::string, std::uint64_t> counts_;
  bool reduced_ = false;
};

int run(options opt) {
  bool own_dir = opt.dir.empty();
  if (own_dir) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "holobroker-soak.XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      std::perror("soak: mkdtemp");
      return 2;
    }
    opt.dir = tmpl;
  }
  std::filesystem::create_directories(opt.dir + "/sockets");
  opt.bin.dir = opt.dir;
  if (opt.warmup_s < 0)
    opt.warmup_s = std::min(60.0, opt.duration_s / 4);
  std::printf("soak: %s, %.0f s, %zu servers, %zu clients x %zu in flight, seed %u\n",
              opt.dir.c_str(), opt.duration_s, opt.servers, opt.clients, opt.window, opt.seed);
  std::fflush(stdout);

  std::vector<sim_server> sims;
  for (std::size_t i = 0; i < opt.servers; ++i)
    sims.emplace_back(opt.bin, i);
  for (auto& s : sims)
    s.start();
  broker_daemon d{opt.bin, things_yaml(opt.servers)};
  zmq::context_t ctx{1};
  ledger book;
  clients load{ctx, d.frontend(), book, {opt.servers}, opt.clients, opt.window, opt.seed};
  load.connect();
  fault_injector faults{sims, d, opt.servers, opt.seed};
  faults.period = std::chrono::milliseconds{static_cast<long>(opt.fault_period_s * 1000)};

  std::vector<std::string> failures;
  std::vector<sample> rss;
  auto start = clock_type::now();
  auto end_load = start + std::chrono::milliseconds{static_cast<long>(opt.duration_s * 1000)};
  auto deadline = std::chrono::milliseconds{static_cast<long>(opt.answer_deadline_s * 1000)};
  auto next_malformed = start, next_ghost = start, next_sample = start,
       next_report = start + 10s;
  auto seconds = [&](clock_type::time_point t) {
    return std::chrono::duration<double>(t - start).count();
  };
  for (;;) {
    auto now = clock_type::now();
    bool loading = now < end_load;
    if (!loading && book.pending() == 0)
      break;
    if (now > end_load + deadline + 5s) {
      failures.push_back("the run did not end: requests still pending");
      break;
    }
    if (d.exited()) {
      failures.push_back("holobrokerd exited during the run (see " + opt.dir
                         + "/holobrokerd.log)");
      break;
    }
    for (auto& s : sims)
      if (s.crashed()) {
        failures.push_back("thing-sim " + s.server_id() + " exited by itself");
        s.stop(SIGKILL);
        s.start();
      }
    if (opt.faults)
      faults.step(now, loading);
    if (!loading)
      faults.heal();
    load.send_load(now, !loading);
    if (loading && now >= next_malformed) {
      load.send_malformed(now);
      next_malformed = now + 20ms;
    }
    if (loading && opt.faults && now >= next_ghost) {
      load.ghost();
      next_ghost = now + 500ms;
    }
    load.receive(5ms);
    book.expire(clock_type::now(), deadline);
    if (now >= next_sample && loading) {
      rss.push_back({seconds(now), d.rss_kib()});
      next_sample = now + 1s;
    }
    if (now >= next_report) {
      std::printf("soak: t=%.0fs sent=%llu pending=%llu lost=%llu duplicates=%llu rss=%ld KiB\n",
                  seconds(now), static_cast<unsigned long long>(book.sent()),
                  static_cast<unsigned long long>(book.pending()),
                  static_cast<unsigned long long>(book.lost()),
                  static_cast<unsigned long long>(book.duplicates()),
                  rss.empty() ? 0L : rss.back().kib);
      std::fflush(stdout);
      next_report = now + 10s;
    }
  }

  // The daemon still serves after all of it, and stops cleanly.
  book.expire(clock_type::now() + deadline + 1s, deadline); // whatever is left is lost
  if (!d.exited())
    for (const auto& thing : load.check_serving())
      failures.push_back("after the faults, " + thing + " no longer answers a read with REPLY");
  std::vector<long> warm, last;
  for (const auto& s : rss) {
    if (s.t >= opt.warmup_s && s.t < opt.warmup_s + 3)
      warm.push_back(s.kib);
  }
  for (std::size_t i = rss.size() >= 3 ? rss.size() - 3 : 0; i < rss.size(); ++i)
    last.push_back(rss[i].kib);
  auto rss_start = median_kib(warm), rss_end = median_kib(last);
  long rss_peak = 0;
  for (const auto& s : rss)
    rss_peak = std::max(rss_peak, s.kib);
  auto allowed = static_cast<long>(rss_start * (1 + opt.rss_tolerance_pct / 100)
                                   + opt.rss_tolerance_mb * 1024);
  if (rss_start > 0 && rss_end > allowed)
    failures.push_back("holobrokerd's memory grew after the warm-up: " + std::to_string(rss_start)
                       + " KiB -> " + std::to_string(rss_end) + " KiB (allowed "
                       + std::to_string(allowed) + " KiB)");
  if (!d.exited()) {
    auto code = d.terminate();
    if (!code)
      failures.push_back("holobrokerd did not stop within 20 s of SIGTERM");
    else if (*code != 0)
      failures.push_back("holobrokerd exited with " + std::to_string(*code) + " on SIGTERM");
  }
  for (auto& s : sims)
    s.stop(SIGTERM);

  std::printf("soak: requests=%llu answered=%llu oneway/silent=%llu lost=%llu duplicates=%llu "
              "strays=%llu unparsable=%llu malformed=%llu ghosts=%llu\n",
              static_cast<unsigned long long>(book.sent()),
              static_cast<unsigned long long>(book.sent() - book.silent() - book.lost()
                                              - book.pending()),
              static_cast<unsigned long long>(book.silent()),
              static_cast<unsigned long long>(book.lost()),
              static_cast<unsigned long long>(book.duplicates()),
              static_cast<unsigned long long>(book.strays()),
              static_cast<unsigned long long>(load.unparsable()),
              static_cast<unsigned long long>(load.malformed_sent()),
              static_cast<unsigned long long>(load.ghosts()));
  std::printf("soak: outcomes");
  for (const auto& [k, n] : book.outcomes())
    std::printf(" [%s]=%llu", k.c_str(), static_cast<unsigned long long>(n));
  std::printf("\n");
  for (const auto& [k, m] : book.examples())
    std::printf("soak: example [%s]: %s\n", k.c_str(), m.substr(0, 200).c_str());
  std::printf("soak: faults");
  for (const auto& [k, n] : faults.counts())
    std::printf(" %s=%llu", k.c_str(), static_cast<unsigned long long>(n));
  std::printf("\nsoak: rss_kib start=%ld end=%ld peak=%ld (after %.0f s warm-up; allowed %ld)\n",
              rss_start, rss_end, rss_peak, opt.warmup_s, allowed);
  for (const auto& v : book.violations())
    failures.push_back(v);
  if (!failures.empty()) {
    for (const auto& f : failures)
      std::printf("soak: FAIL: %s\n", f.c_str());
    std::printf("soak: logs kept in %s\n", opt.dir.c_str());
    return 1;
  }
  std::printf("soak: PASS\n");
  if (own_dir && !opt.keep)
    std::filesystem::remove_all(opt.dir);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  options opt;
  CLI::App app{"holobroker-soak: holobrokerd under load and faults; every request ends exactly "
               "once, memory stays flat"};
  app.add_option("--duration", opt.duration_s, "Seconds of load and faults")->capture_default_str();
  app.add_option("--warmup", opt.warmup_s,
                 "Seconds before the memory baseline (default: a quarter of the run, <= 60)");
  app.add_option("--servers", opt.servers, "thing-sim processes")->capture_default_str()
    ->check(CLI::Range(1, 64));
  app.add_option("--clients", opt.clients, "Load clients")->capture_default_str()
    ->check(CLI::Range(1, 256));
  app.add_option("--window", opt.window, "Requests in flight per client")->capture_default_str()
    ->check(CLI::Range(1, 1000));
  app.add_option("--seed", opt.seed, "Random seed (request mix, faults)")->capture_default_str();
  app.add_option("--fault-period", opt.fault_period_s, "Seconds between faults")
    ->capture_default_str();
  app.add_option("--answer-deadline", opt.answer_deadline_s,
                 "Seconds after which an unanswered request is lost")->capture_default_str();
  app.add_option("--rss-tolerance-mb", opt.rss_tolerance_mb,
                 "Allowed RSS growth after warm-up, MiB (plus --rss-tolerance-pct)")
    ->capture_default_str();
  app.add_option("--rss-tolerance-pct", opt.rss_tolerance_pct, "Allowed RSS growth, percent")
    ->capture_default_str();
  app.add_flag("!--no-faults", opt.faults, "Load only: no faults, no ghosts");
  app.add_option("--dir", opt.dir, "Run directory (default: a new one under $TMPDIR)");
  app.add_flag("--keep", opt.keep, "Keep the run directory after a pass");
  app.add_option("--holobrokerd", opt.bin.holobrokerd, "holobrokerd binary")->capture_default_str();
  app.add_option("--thing-sim", opt.bin.thing_sim, "thing-sim binary")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    return run(opt);
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "soak: %s\n", ex.what());
    return 2;
  }
}
