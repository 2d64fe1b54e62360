// The neighbour group (issue 11): one holobrokerd in front of two thing-sim
// servers, each a process of its own (as hololinked servers are: the
// servers of one thing-sim process share its one event loop, so a flooded
// server would delay the other's requests in thing-sim itself); the
// measured client reads a property of thing-0-0 (the usual raw client
// loop, small workload) alone, then while a neighbour misbehaves against
// thing-1-0 (the other server, so the only program the two share is the
// daemon):
//   flood   - sends as fast as its socket takes requests and reads every
//             answer; the only bound is the daemon's
//             limits.max_in_flight_per_client (the excess gets
//             BlockingIOError at once);
//   no-read - sends as fast as its socket takes requests and never reads
//             (ZMQ_RCVHWM 1): its replies pile up until the daemon's
//             per-client send queue (limits.send_queue) is full and the
//             daemon drops them.
// Each kind runs twice: at the measured client's priority, and with the
// neighbour's threads (its sending thread and its libzmq I/O thread) at
// nice 19, so that the OS gives the neighbour's own CPU away first and what
// is left is the daemon's share of the slowdown (as for a neighbour on
// another host, whose CPU is not ours).
// Each repetition measures alone and the four neighbours back to back. "Noise"
// is the relative spread (max - min) / median of the alone p50 across the
// repetitions; a neighbour is judged harmless when the median of the
// per-repetition ratios (with neighbour / alone) stays within 1 + noise.
// The neighbours run in threads of this process, so on a small machine
// they also compete for the cores (as a real neighbour on the same host
// would). To tell the daemon's part of a slowdown from the machine's, each
// repetition also runs a control without the daemon: the measured client
// straight to thing-sim 0, each neighbour straight to thing-sim 1 (no
// per-client bound there: a hololinked server has none); those rows carry
// no goal, and each daemon row shows its ratio over the control's.

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zmq.hpp>

#include "daemon_process.hpp"
#include "groups.hpp"
#include "holobroker/wire/requests.hpp"
#include "holobroker/wire/response.hpp"
#include "holobroker/zmq/multipart_io.hpp"
#include "raw_client.hpp"
#include "report.hpp"
#include "sim_process.hpp"
#include "stats.hpp"

namespace holobroker::bench {

namespace {

constexpr int max_in_flight_per_client = 128;
constexpr int send_queue = 1000;

/// A misbehaving client in a thread of its own (its socket is touched by
/// that thread only); stop() ends it and tells what it did.
class neighbour {
public:
  struct tally {
    std::uint64_t sent = 0;
    std::uint64_t answers = 0;   ///< read (flood only)
    std::uint64_t sampled = 0;   ///< answers parsed (every 64th)
    std::uint64_t busy = 0;      ///< of those, EXCEPTION (BlockingIOError)
    double seconds = 0;
  };

  neighbour(std::string kind, int nice, std::string id, std::string endpoint,
            std::string broker_id, std::string thing)
    : kind_(std::move(kind)) {
    // The socket is made, handshaken and used in the thread, with a libzmq
    // context of its own: its I/O thread must not be the measured client's
    // (another process would not share it either). libzmq starts that I/O
    // thread when the first socket is made, from this thread, so it
    // inherits this thread's nice value.
    thread_ = std::thread{[this, nice, id = std::move(id), endpoint = std::move(endpoint),
                           broker_id = std::move(broker_id), thing = std::move(thing)] {
      try {
        if (nice != 0
            && setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), nice) != 0)
          throw std::runtime_error(fmt::format("setpriority({}): {}", nice,
                                               std::strerror(errno)));
        zmq::context_t ctx;
        run(ctx, id, endpoint, broker_id, thing);
      } catch (const std::exception& ex) {
        error_ = ex.what();
        failed_ = true; // publishes error_
        started_ = true;
      }
    }};
  }

  ~neighbour() {
    stop_ = true;
    if (thread_.joinable())
      thread_.join();
  }

  /// Waits (bounded) until the neighbour has sent `n` requests.
  void wait_running(std::uint64_t n) {
    auto until = clock::now() + std::chrono::seconds{10};
    while ((!started_ || sent_ < n) && !failed_ && clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds{5});
    if (failed_)
      throw std::runtime_error("neighbour " + kind_ + ": " + error_);
    if (sent_ < n)
      throw std::runtime_error("neighbour " + kind_ + " did not get going within 10 s");
  }

  tally stop() {
    stop_ = true;
    if (thread_.joinable())
      thread_.join();
    if (failed_)
      throw std::runtime_error("neighbour " + kind_ + ": " + error_);
    return tally_;
  }

private:
  void run(zmq::context_t& ctx, const std::string& id, const std::string& endpoint,
           const std::string& broker_id, const std::string& thing) {
    bool reads = kind_ == "flood";
    zmq::socket_t s{ctx, zmq::socket_type::router};
    s.set(zmq::sockopt::routing_id, id);
    s.set(zmq::sockopt::router_mandatory, 1);
    s.set(zmq::sockopt::linger, 0);
    if (!reads)
      s.set(zmq::sockopt::rcvhwm, 1);
    s.connect(endpoint);
    // Handshake: the one answer the no-read neighbour reads.
    auto hs = wire::craft_request(broker_id, wire::make_handshake(id, broker_id));
    auto until = clock::now() + std::chrono::seconds{10};
    while (zmqio::send_multipart(s, hs, true) != zmqio::send_status::sent) {
      if (clock::now() > until)
        throw std::runtime_error("broker not routable");
      std::this_thread::sleep_for(std::chrono::milliseconds{1});
    }
    zmq::message_t msg;
    do {
      zmq::pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
      if (zmq::poll(&item, 1, std::chrono::milliseconds{10000}) == 0)
        throw std::runtime_error("no handshake answer within 10 s");
      (void) s.recv(msg, zmq::recv_flags::none);
    } while (msg.more());

    auto small = standard_workloads(true).front();
    std::vector<wire::multipart> pool;
    for (int i = 0; i < 1024; ++i)
      pool.push_back(wire::craft_request(broker_id, make_request(small, id, broker_id, thing)));
    started_ = true;
    auto t0 = clock::now();
    std::size_t next = 0;
    while (!stop_) {
      bool progress = false;
      for (int i = 0; i < 256; ++i) { // send while the socket takes them
        auto st = zmqio::send_multipart(s, pool[next % pool.size()], true);
        if (st != zmqio::send_status::sent)
          break;
        ++next;
        progress = true;
      }
      sent_ = next;
      if (reads) {
        for (int i = 0; i < 1024; ++i) { // read every answer there is
          auto frames = zmqio::recv_multipart(s);
          if (!frames)
            break;
          if (tally_.answers++ % 64 == 0) {
            ++tally_.sampled;
            auto res = wire::parse_response(*frames);
            if (res && res->header.type != wire::message_type::reply)
              ++tally_.busy;
          }
          progress = true;
        }
      }
      if (!progress) { // wait for the socket, never spin
        zmq::pollitem_t item{s.handle(), 0,
                             static_cast<short>(ZMQ_POLLOUT | (reads ? ZMQ_POLLIN : 0)), 0};
        zmq::poll(&item, 1, std::chrono::milliseconds{10});
      }
    }
    tally_.sent = next;
    tally_.seconds = std::chrono::duration<double>(clock::now() - t0).count();
  }

  std::string kind_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> started_{false};
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<bool> failed_{false};
  std::string error_; // written by the thread before failed_
  tally tally_;
  std::thread thread_;
};

} // namespace

void run_neighbour_group(const group_options& opt, verdict_table& verdicts) {
  auto dir = opt.work_dir + "/neighbour";
  auto start_sim = [&](int server) {
    sim_options so;
    so.program = opt.thing_sim;
    so.work_dir = fmt::format("{}/sim-{}", dir, server);
    std::filesystem::create_directories(so.work_dir);
    so.first_server = server;
    return std::make_unique<sim_process>(so);
  };
  auto sim0 = start_sim(0);
  auto sim1 = start_sim(1);

  daemon_options dopts;
  dopts.program = opt.holobrokerd;
  dopts.work_dir = dir;
  dopts.broker_id = "bench-neighbour-broker";
  dopts.things.push_back({"thing-0-0", "sim-0", sim0->address("sim-0", "ipc")});
  dopts.things.push_back({"thing-1-0", "sim-1", sim1->address("sim-1", "ipc")});
  // The documented defaults, spelled out so the table says what bounded the
  // neighbours.
  dopts.top_yaml = fmt::format("limits:\n  max_in_flight_per_client: {}\n  send_queue: {}\n",
                               max_in_flight_per_client, send_queue);
  if (opt.client_rate > 0)
    dopts.top_yaml += fmt::format("  max_requests_per_second_per_client: {}\n", opt.client_rate);
  if (opt.client_burst > 0)
    dopts.top_yaml += fmt::format("  request_burst_per_client: {}\n", opt.client_burst);
  daemon_process daemon{dopts};
  const auto& endpoint = daemon.frontend("ipc");

  zmq::context_t ctx;
  auto w = standard_workloads(opt.quick).front();
  // Round trips only (the goal is about p50), each run by a fresh measured
  // client (so a request left open by a run cut short cannot answer into
  // the next) and bounded: next to a neighbour a run gets 20x the time the
  // alone run of its repetition took (at least 5 s); a run cut short keeps
  // the round trips it timed and is a miss.
  int clients = 0;
  std::size_t done = 0;
  /// Where a run's clients go: the daemon, or straight to the thing-sims.
  struct route {
    std::string measured_endpoint, measured_server; ///< thing-0-0's
    std::string neighbour_endpoint, neighbour_server; ///< thing-1-0's
  };
  const route via_daemon{endpoint, daemon.broker_id(), endpoint, daemon.broker_id()};
  const route direct{sim0->address("sim-0", "ipc"), "sim-0", sim1->address("sim-1", "ipc"),
                     "sim-1"};
  auto run = [&](const route& to, clock::time_point deadline) {
    raw_client measured{ctx, fmt::format("bench-measured-{}", clients++), to.measured_endpoint,
                        to.measured_server};
    measured.handshake(std::chrono::seconds{10});
    auto pool = measured.request_pool(w, {"thing-0-0"});
    return measured.measure_rtt_until(pool, w, deadline, done);
  };

  /// One neighbour to run next to the measured client, and what came of it.
  struct variant {
    std::string kind; ///< "flood" or "no-read"
    int nice;
    bool direct;      ///< the control: no daemon
    group_row row;
    std::vector<neighbour::tally> tallies;
    std::vector<double> log_growth; ///< MiB of daemon log per run
    bool cut = false;
  };
  auto title = [](const char* what, int nice, bool control) {
    auto t = nice == 0 ? std::string{what} : fmt::format("{}, its threads at nice {}", what, nice);
    return control ? "control, no daemon: " + t : t;
  };
  std::vector<variant> variants;
  for (bool control : {false, true})
    for (int nice : {0, 19}) {
      variants.push_back({"flood", nice, control,
                          {title("next to a flooding client", nice, control), "ipc", w.name, {},
                           false},
                          {}, {}});
      variants.push_back({"no-read", nice, control,
                          {title("next to a client that never reads", nice, control), "ipc",
                           w.name, {}, false},
                          {}, {}});
    }
  group_row alone{"alone", "ipc", w.name, {}, false};
  group_row alone_direct{"control, no daemon: alone", "ipc", w.name, {}, false};
  std::vector<std::string> cuts;
  auto log_size = [&] {
    std::error_code ec;
    auto n = std::filesystem::file_size(daemon.log_file(), ec);
    return ec ? 0.0 : static_cast<double>(n) / (1024.0 * 1024.0);
  };
  for (int r = 0; r < opt.repeat; ++r) {
    clock::duration limits[2];
    for (bool control : {false, true}) {
      auto t0 = clock::now();
      (control ? alone_direct : alone).runs.push_back(
        run(control ? direct : via_daemon, t0 + std::chrono::minutes{2}));
      if (done < w.rtt_iterations)
        throw std::runtime_error("neighbour group: the measured client alone did not finish "
                                 "within 2 minutes");
      limits[control] = std::max<clock::duration>(20 * (clock::now() - t0),
                                                  std::chrono::seconds{5});
    }
    for (auto& v : variants) {
      bool flood = v.kind == "flood";
      const auto& to = v.direct ? direct : via_daemon;
      auto limit = limits[v.direct];
      auto log0 = log_size();
      neighbour n{v.kind,
                  v.nice,
                  fmt::format("bench-{}-{}-{}{}", v.kind, v.nice, r, v.direct ? "-direct" : ""),
                  to.neighbour_endpoint,
                  to.neighbour_server,
                  "thing-1-0"};
      n.wait_running(flood ? 1000 : static_cast<std::uint64_t>(send_queue) * 2);
      auto fig = run(to, clock::now() + limit);
      if (done > 0)
        v.row.runs.push_back(fig);
      v.tallies.push_back(n.stop());
      v.log_growth.push_back(log_size() - log0);
      if (done < w.rtt_iterations) {
        cuts.push_back(fmt::format("{}, repetition {}: {} of {} round trips within {:.1f} s "
                                   "(20x alone)",
                                   v.row.path, r + 1, done, w.rtt_iterations,
                                   std::chrono::duration<double>(limit).count()));
        v.cut = true;
      }
    }
  }

  auto p50s = [](const group_row& row) {
    std::vector<double> xs;
    for (const auto& f : row.runs)
      xs.push_back(f.rtt_p50_us);
    return xs;
  };
  auto noise_of = [&](const group_row& row) {
    auto b = summarize(p50s(row));
    return b.median > 0 ? (b.max - b.min) / b.median : 0.0;
  };
  double noise = noise_of(alone);
  auto rate = [](const std::vector<neighbour::tally>& ts, bool answers) {
    std::vector<double> xs;
    for (const auto& t : ts)
      xs.push_back(t.seconds > 0 ? static_cast<double>(answers ? t.answers : t.sent) / t.seconds
                                 : 0);
    return summarize(xs).median;
  };
  auto ratio_of = [&](const variant& v) {
    return median_ratio(p50s(v.row), p50s(v.direct ? alone_direct : alone)).value_or(0);
  };
  /// The control of a daemon variant: the same neighbour without the daemon.
  auto control_of = [&](const variant& v) -> const variant* {
    for (const auto& c : variants)
      if (c.direct && c.kind == v.kind && c.nice == v.nice)
        return &c;
    return nullptr;
  };

  auto describe = [&](const variant& v, double ratio) -> std::string {
    if (v.row.runs.empty())
      return "no round trip timed";
    if (v.kind == "flood") {
      std::uint64_t sampled = 0, busy = 0;
      for (const auto& t : v.tallies) {
        sampled += t.sampled;
        busy += t.busy;
      }
      return fmt::format("p50 {:.2f}x alone; neighbour got {:.0f} answers/s ({:.0f}% {}, "
                         "sampled)",
                         ratio, rate(v.tallies, true),
                         sampled ? 100.0 * static_cast<double>(busy) / static_cast<double>(sampled)
                                 : 0.0,
                         v.direct ? "not REPLY" : "BlockingIOError");
    }
    if (v.direct)
      return fmt::format("p50 {:.2f}x alone; neighbour sent {:.0f} req/s, read none", ratio,
                         rate(v.tallies, false));
    return fmt::format("p50 {:.2f}x alone; neighbour sent {:.0f} req/s, read none; daemon "
                       "log +{:.1f} MiB per run",
                       ratio, rate(v.tallies, false), summarize(v.log_growth).median);
  };

  fmt::print("\n## A misbehaving neighbour (one daemon; limits.max_in_flight_per_client {}, "
             "limits.send_queue {}{})\n\n",
             max_in_flight_per_client, send_queue,
             opt.client_rate > 0
               ? fmt::format(", limits.max_requests_per_second_per_client {}, "
                             "limits.request_burst_per_client {}",
                             opt.client_rate,
                             opt.client_burst > 0 ? std::to_string(opt.client_burst) : "default")
               : std::string{});
  print_group_header();
  print_group_row(alone,
                  fmt::format("noise: alone p50 spread {:.0f}% over {} repetitions", noise * 100,
                              alone.runs.size()),
                  {}, verdicts);
  for (const auto& v : variants) {
    if (v.direct)
      continue;
    auto ratio = ratio_of(v);
    auto check = neighbour_goal(v.kind, v.nice != 0, ratio, noise);
    // A run cut short is a miss whatever its partial p50 says; a variant
    // with no run at all is "not run".
    if (v.cut)
      check = {check.goal, check.label, check.where, "cut short", false};
    else if (v.row.runs.empty())
      check = {check.goal, check.label, check.where, "not run", false};
    std::string cell = describe(v, ratio);
    if (const auto* c = control_of(v); c && !c->row.runs.empty() && ratio > 0)
      cell += fmt::format("; without the daemon {:.2f}x, so the daemon's part {:.2f}x",
                          ratio_of(*c), ratio / ratio_of(*c));
    print_group_row(v.row, cell, {check}, verdicts);
  }
  print_group_row(alone_direct,
                  fmt::format("the control: client and neighbour straight to their thing-sim; "
                              "alone p50 spread {:.0f}%",
                              noise_of(alone_direct) * 100),
                  {}, verdicts);
  for (const auto& v : variants)
    if (v.direct)
      print_group_row(v.row, describe(v, ratio_of(v)), {}, verdicts);
  for (const auto& c : cuts)
    fmt::print("\n# measured client cut short {}\n", c);
}

} // namespace holobroker::bench
