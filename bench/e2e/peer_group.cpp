// The peer group (issue 12): holobrokerd B in front of thing-sim, and
// holobrokerd A with no Things of its own that peers with B over CAF's
// middleman on loopback (`plain: true`, every other federation setting at
// its default). In each repetition, back to back: one raw TCP round trip of
// the same size (what one more loopback hop costs at least), the raw client
// at B (the local daemon path) and the same client at A (through the
// peer). Then two timed events, each polled with real requests through A:
// a Thing added to B's configuration and SIGHUP, and B killed (SIGKILL) and
// started again.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <zmq.hpp>

#include "caf_echo.hpp"
#include "daemon_process.hpp"
#include "groups.hpp"
#include "holobroker/wire/requests.hpp"
#include "holobroker/wire/response.hpp"
#include "raw_client.hpp"
#include "raw_echo.hpp"
#include "report.hpp"
#include "sim_process.hpp"
#include "stats.hpp"

namespace holobroker::bench {

int free_tcp_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    throw std::runtime_error("free_tcp_port: no socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0
            && ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (!ok)
    throw std::runtime_error("free_tcp_port: cannot bind 127.0.0.1:0");
  return ntohs(addr.sin_port);
}

namespace {

constexpr std::chrono::seconds event_limit{10};
constexpr std::chrono::milliseconds attempt_timeout{500};
// After an error answer (unknown Thing, peer down) the next attempt waits
// this long: bounds the request rate of the poll, and its resolution.
constexpr std::chrono::milliseconds error_pause{2};

std::string federation_yaml(int port) {
  return fmt::format("  federation:\n    listen: 127.0.0.1:{}\n    plain: true\n", port);
}

struct poll_outcome {
  bool ok = false;
  clock::time_point at;
  int attempts = 0;
  std::string last; ///< the last answer that was not a REPLY
};

/// Reads `thing` through `c` until a REPLY, each attempt a real request
/// (fresh message id) waited for up to `attempt_timeout`; gives up after
/// `event_limit`.
poll_outcome read_until_reply(raw_client& c, const std::string& thing) {
  auto small = standard_workloads(true).front();
  poll_outcome out;
  auto until = clock::now() + event_limit;
  while (clock::now() < until) {
    auto req = make_request(small, c.client_id(), c.server_id(), thing);
    ++out.attempts;
    auto frames = c.call_within(wire::craft_request(c.server_id(), req), req.header.message_id,
                                attempt_timeout);
    if (frames) {
      auto res = wire::parse_response(*frames);
      if (res && res->header.type == wire::message_type::reply) {
        out.ok = true;
        out.at = clock::now();
        return out;
      }
      out.last = res ? std::string{to_string(res->header.type)} + " "
                         + res->payload.to_string().substr(0, 160)
                     : std::string{"unreadable answer"};
      std::this_thread::sleep_for(error_pause);
    } else {
      out.last = "no answer within 500 ms";
    }
  }
  return out;
}

double seconds_between(clock::time_point a, clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::string thing_name(int i) {
  return fmt::format("thing-0-{}", i);
}

} // namespace

void run_peer_group(const group_options& opt, verdict_table& verdicts) {
  auto dir = opt.work_dir + "/peer";
  for (const auto* sub : {"/sim", "/a", "/b"})
    std::filesystem::create_directories(dir + sub);

  // thing-0-0 is in B's configuration from the start; thing-0-1 .. are
  // served by the sim and added to B, one per repetition, by SIGHUP.
  sim_options so;
  so.program = opt.thing_sim;
  so.work_dir = dir + "/sim";
  so.things = opt.repeat + 1;
  sim_process sim{so};
  const auto& sim_addr = sim.address("sim-0", "ipc");

  daemon_options bopts;
  bopts.program = opt.holobrokerd;
  bopts.work_dir = dir + "/b";
  bopts.broker_id = "bench-peer-b";
  // B's federation port is fixed up front: A names it, and B keeps it
  // across its restart.
  int b_port = free_tcp_port();
  bopts.broker_yaml = federation_yaml(b_port);
  bopts.things.push_back({thing_name(0), "sim-0", sim_addr});
  auto b = std::make_unique<daemon_process>(bopts);

  daemon_options aopts;
  aopts.program = opt.holobrokerd;
  aopts.work_dir = dir + "/a";
  aopts.broker_id = "bench-peer-a";
  aopts.broker_yaml = federation_yaml(free_tcp_port());
  aopts.broker_yaml += fmt::format("  peers:\n    - 127.0.0.1:{}\n", b_port);
  daemon_process a{aopts};

  zmq::context_t ctx;
  raw_client local{ctx, "bench-at-b", b->frontend("ipc"), b->broker_id()};
  raw_client via{ctx, "bench-via-peer", a.frontend("ipc"), a.broker_id()};
  local.handshake(std::chrono::seconds{10});
  via.handshake(std::chrono::seconds{10});
  if (auto first = read_until_reply(via, thing_name(0)); !first.ok)
    throw std::runtime_error("peer group: " + thing_name(0) + " not readable through "
                             + a.broker_id() + " within 10 s (last: " + first.last + "; logs "
                             + a.log_file() + ", " + b->log_file() + ")");

  fmt::print("\n## Through one peer broker (two holobrokerd, CAF middleman on loopback, "
             "client over IPC)\n\n");
  print_group_header();
  for (const auto& w : standard_workloads(opt.quick)) {
    if (w.name == "1MiB" || std::find(opt.loads.begin(), opt.loads.end(), w.name) == opt.loads.end())
      continue;
    auto local_pool = local.request_pool(w, {thing_name(0)});
    auto via_pool = via.request_pool(w, {thing_name(0)});
    group_row raw_row{"raw", "tcp", w.name, {}, true};
    group_row caf_row{"caf echo (middleman)", "tcp", w.name, {}, true};
    group_row local_row{"daemon (client at B)", "ipc", w.name, {}, true};
    group_row via_row{"through peer (client at A)", "ipc+peer", w.name, {}, true};
    for (int r = 0; r < opt.repeat; ++r) {
      raw_row.runs.push_back(run_raw_echo("tcp", w, dir, opt.window));
      caf_row.runs.push_back(run_caf_echo(w, opt.window));
      local_row.runs.push_back(local.measure(local_pool, w, opt.window));
      via_row.runs.push_back(via.measure(via_pool, w, opt.window));
    }
    // Per repetition: the goal's sum (local + raw TCP), and the floor the
    // middleman allows (local + a bare CAF round trip).
    std::vector<double> sum, floor, via_p50, local_p50, via_rps, local_rps, caf_p50, raw_p50;
    for (std::size_t i = 0; i < via_row.runs.size(); ++i) {
      sum.push_back(local_row.runs[i].rtt_p50_us + raw_row.runs[i].rtt_p50_us);
      floor.push_back(local_row.runs[i].rtt_p50_us + caf_row.runs[i].rtt_p50_us);
      via_p50.push_back(via_row.runs[i].rtt_p50_us);
      local_p50.push_back(local_row.runs[i].rtt_p50_us);
      via_rps.push_back(via_row.runs[i].throughput_rps);
      local_rps.push_back(local_row.runs[i].throughput_rps);
      caf_p50.push_back(caf_row.runs[i].rtt_p50_us);
      raw_p50.push_back(raw_row.runs[i].rtt_p50_us);
    }
    auto vs_sum = median_ratio(via_p50, sum);
    auto vs_floor = median_ratio(via_p50, floor);
    auto vs_local = median_ratio(via_p50, local_p50);
    auto rps = median_ratio(via_rps, local_rps);
    print_group_row(raw_row, "", {}, verdicts);
    print_group_row(caf_row,
                    fmt::format("p50 {:.2f}x raw tcp", median_ratio(caf_p50, raw_p50).value_or(0)),
                    {}, verdicts);
    print_group_row(local_row, "", {}, verdicts);
    print_group_row(via_row,
                    fmt::format("p50 {:.2f}x local, {:.2f}x (local + raw tcp), {:.2f}x (local + "
                                "caf echo); req/s {:.0f}% of local",
                                vs_local.value_or(0), vs_sum.value_or(0), vs_floor.value_or(0),
                                rps.value_or(0) * 100),
                    peer_goals("ipc", w.name, vs_sum, rps), verdicts);
  }

  // Timed events, one of each per repetition.
  std::vector<double> reload_s, reload_n, restart_s, restart_n, ready_s;
  for (int r = 1; r <= opt.repeat; ++r) {
    bopts.things.push_back({thing_name(r), "sim-0", sim_addr});
    b->rewrite_config(bopts);
    auto t0 = clock::now();
    b->signal(SIGHUP);
    auto got = read_until_reply(via, thing_name(r));
    if (!got.ok)
      throw std::runtime_error(fmt::format("peer group: {} added at {} by SIGHUP not readable "
                                           "through {} within {} s (last: {})",
                                           thing_name(r), b->broker_id(), a.broker_id(),
                                           event_limit.count(), got.last));
    reload_s.push_back(seconds_between(t0, got.at));
    reload_n.push_back(got.attempts);

    b->signal(SIGKILL);
    if (!b->wait_exit(std::chrono::seconds{5}))
      throw std::runtime_error("peer group: " + b->broker_id() + " did not die of SIGKILL");
    b.reset();
    b = std::make_unique<daemon_process>(bopts); // returns once B printed `ready`
    auto ready = clock::now();
    auto back = read_until_reply(via, thing_name(0));
    if (!back.ok)
      throw std::runtime_error(fmt::format("peer group: {} not served through {} within {} s "
                                           "of {}'s restart (last: {})",
                                           thing_name(0), a.broker_id(), event_limit.count(),
                                           bopts.broker_id, back.last));
    restart_s.push_back(seconds_between(b->started(), back.at));
    ready_s.push_back(seconds_between(ready, back.at));
    restart_n.push_back(back.attempts);
  }
  fmt::print("\n");
  print_event_header();
  print_event_row("Thing added at B (config + SIGHUP), until a read through A replies",
                  reload_s, reload_n, "from kill(SIGHUP)",
                  {peer_reload_goal(summarize(reload_s).median)}, verdicts);
  print_event_row("B killed (SIGKILL) and restarted, until a read through A replies", restart_s,
                  restart_n,
                  fmt::format("from B's fork; {} s after B printed ready",
                              summarize(ready_s).to_string(3)),
                  {peer_restart_goal(summarize(restart_s).median)}, verdicts);
}

} // namespace holobroker::bench
