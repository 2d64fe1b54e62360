#include "fleet.hpp"

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "daemon_process.hpp"
#include "holobroker/wire/requests.hpp"
#include "holobroker/wire/response.hpp"
#include "proc_stats.hpp"
#include "raw_client.hpp"
#include "sim_process.hpp"
#include "stats.hpp"

namespace holobroker::bench {

namespace {

constexpr int things_per_server = 10;

/// Connected Things according to the broker's `things` introspection action.
std::size_t connected_things(raw_client& client) {
  auto req = wire::make_operation(client.client_id(), client.server_id(), client.server_id(),
                                  "things", wire::op::invoke_action,
                                  wire::shared_bytes::copy_of("{}"));
  auto reply = client.call(wire::craft_request(client.server_id(), req));
  auto res = wire::parse_response(reply);
  if (!res || res->header.type != wire::message_type::reply)
    throw std::runtime_error("the broker's `things` action did not answer with a REPLY");
  auto doc = nlohmann::json::parse(res->payload.view());
  std::size_t n = 0;
  for (const auto& t : doc)
    n += t.value("state", "") == "connected" ? 1 : 0;
  return n;
}

/// The first error the daemon logged, to say why Things did not connect.
std::string first_logged_error(const std::string& log) {
  std::ifstream in{log};
  std::string line;
  while (std::getline(in, line))
    if (line.find(" error ") != std::string::npos || line.find(" critical ") != std::string::npos)
      return line;
  return "no error logged";
}

} // namespace

fleet_figures run_fleet(const fleet_options& opts) {
  std::filesystem::create_directories(opts.work_dir);
  int per_server = std::min(opts.things, things_per_server);
  int servers = (opts.things + per_server - 1) / per_server;

  sim_options so;
  so.program = opts.thing_sim;
  so.work_dir = opts.work_dir;
  so.servers = servers;
  so.things = per_server;
  sim_process sim{so};

  daemon_options dopts;
  dopts.program = opts.holobrokerd;
  dopts.work_dir = opts.work_dir;
  std::vector<std::string> thing_ids;
  for (int i = 0; i < servers; ++i)
    for (int j = 0; j < per_server && static_cast<int>(thing_ids.size()) < opts.things; ++j) {
      auto server = fmt::format("sim-{}", i);
      thing_ids.push_back(fmt::format("thing-{}-{}", i, j));
      dopts.things.push_back({thing_ids.back(), server, sim.address(server, "ipc")});
    }

  fleet_figures fig;
  fig.things = opts.things;
  zmq::context_t ctx;
  std::unique_ptr<daemon_process> daemon;
  std::unique_ptr<raw_client> client;
  for (int r = 0; r < opts.repeat; ++r) {
    client.reset();
    daemon.reset(); // SIGTERM, drain, reaped
    daemon = std::make_unique<daemon_process>(dopts);
    client = std::make_unique<raw_client>(ctx, fmt::format("bench-fleet-client-{}", r),
                                          daemon->frontend("ipc"), daemon->broker_id());
    try {
      client->handshake(std::chrono::seconds{30});
    } catch (const std::exception& ex) {
      throw std::runtime_error(std::string{ex.what()}
                               + "; daemon: " + first_logged_error(daemon->log_file()));
    }
    auto give_up = daemon->started() + std::chrono::seconds{30};
    for (;;) {
      auto connected = connected_things(*client);
      if (connected == thing_ids.size())
        break;
      if (std::chrono::steady_clock::now() > give_up)
        throw std::runtime_error(fmt::format("{} of {} Things connected after 30 s; daemon: {}",
                                             connected, thing_ids.size(),
                                             first_logged_error(daemon->log_file())));
      std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
    fig.connected_s.push_back(
      std::chrono::duration<double>(clock::now() - daemon->started()).count());
  }

  // Settle (late log lines, allocator trims), then the idle period.
  std::this_thread::sleep_for(std::chrono::milliseconds{200});
  auto before = read_proc(daemon->pid());
  std::this_thread::sleep_for(std::chrono::duration<double>(opts.idle_seconds));
  auto after = read_proc(daemon->pid());
  fig.rss_mb = after.rss_mb;
  fig.threads = after.threads;
  fig.idle_cpu_pct = 100.0 * (after.cpu_seconds - before.cpu_seconds) / opts.idle_seconds;

  workload w = standard_workloads(false).front(); // small reads
  w.rtt_iterations = std::max<std::size_t>(opts.requests / 10, 100);
  w.pipelined = opts.requests;
  auto pool = client->request_pool(w, thing_ids, std::max<std::size_t>(1024, thing_ids.size()));
  auto measured = client->measure(pool, w, opts.window);
  fig.throughput_rps = measured.throughput_rps;
  fig.rtt_p50_us = measured.rtt_p50_us;
  fig.peak_rss_mb = read_proc(daemon->pid()).peak_rss_mb;
  return fig;
}

} // namespace holobroker::bench
