// The CURVE group (issue 11): one holobrokerd with a `security:` section (a
// ZAP handler, a CURVE front end and a policy allowing the bench's
// principals everything), measured through its plain TCP front end and its
// CURVE front end by the same raw client loop, back to back in every
// repetition. What the CURVE row costs over the plain row is the CURVE
// handshake once and the per-message encryption (libsodium's
// crypto_box on each frame, both ways); the policy decision applies to both.

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>
#include <zmq.hpp>

#include "daemon_process.hpp"
#include "groups.hpp"
#include "holobroker/security/curve_keys.hpp"
#include "raw_client.hpp"
#include "report.hpp"
#include "sim_process.hpp"

namespace holobroker::bench {

namespace {

security::curve_keypair new_keys(const std::string& dir, const std::string& name) {
  auto keys = security::generate_keypair();
  if (!keys)
    throw std::runtime_error("CURVE key pair: " + keys.error());
  if (auto files = security::write_key_files(dir, name, *keys); !files)
    throw std::runtime_error("CURVE key files: " + files.error());
  return *keys;
}

} // namespace

void run_curve_group(const group_options& opt, verdict_table& verdicts) {
  auto dir = opt.work_dir + "/curve";
  auto keys = dir + "/keys";
  std::filesystem::create_directories(keys + "/clients");
  std::filesystem::create_directories(dir + "/sim");
  auto server_keys = new_keys(keys, "server");
  auto client_keys = new_keys(keys, "bench");
  std::filesystem::copy_file(keys + "/bench.pub", keys + "/clients/bench.pub");

  sim_options so;
  so.program = opt.thing_sim;
  so.work_dir = dir + "/sim";
  sim_process sim{so};

  daemon_options dopts;
  dopts.program = opt.holobrokerd;
  dopts.work_dir = dir;
  dopts.broker_id = "bench-curve-broker";
  dopts.tcp = true;
  dopts.things.push_back({"thing-0-0", "sim-0", sim.address("sim-0", "ipc")});
  // A policy, so every request is decided as in a secured deployment; it
  // allows the two principals of this group everything.
  dopts.top_yaml = fmt::format("security:\n"
                               "  curve:\n"
                               "    tcp: tcp://127.0.0.1:0\n"
                               "    server_key: {0}/server.key\n"
                               "    client_keys: {0}/clients\n"
                               "  policy:\n"
                               "    - principal: {{key: bench}}\n"
                               "      things: [\"*\"]\n"
                               "      operations: [\"*\"]\n"
                               "    - principal: {{cidr: 127.0.0.0/8}}\n"
                               "      things: [\"*\"]\n"
                               "      operations: [\"*\"]\n",
                               keys);
  daemon_process daemon{dopts};

  zmq::context_t ctx;
  raw_client plain{ctx, "bench-plain-tcp", daemon.frontend("tcp"), daemon.broker_id()};
  raw_client curve{ctx, "bench-curve", daemon.frontend("curve"), daemon.broker_id(),
                   curve_client{server_keys.public_key, client_keys.public_key,
                                client_keys.secret_key}};
  plain.handshake(std::chrono::seconds{10});
  curve.handshake(std::chrono::seconds{10});

  fmt::print("\n## CURVE front end vs plain TCP front end of one daemon (security policy on)\n\n");
  print_group_header();
  for (const auto& w : standard_workloads(opt.quick)) {
    if (w.name == "1MiB" || std::find(opt.loads.begin(), opt.loads.end(), w.name) == opt.loads.end())
      continue;
    auto plain_pool = plain.request_pool(w, {"thing-0-0"});
    auto curve_pool = curve.request_pool(w, {"thing-0-0"});
    group_row plain_row{"daemon-tcp (security)", "tcp", w.name, {}, true};
    group_row curve_row{"daemon-curve", "tcp+curve", w.name, {}, true};
    for (int r = 0; r < opt.repeat; ++r) {
      plain_row.runs.push_back(plain.measure(plain_pool, w, opt.window));
      curve_row.runs.push_back(curve.measure(curve_pool, w, opt.window));
    }
    std::vector<double> p50_plain, p50_curve, rps_plain, rps_curve;
    for (std::size_t i = 0; i < plain_row.runs.size(); ++i) {
      p50_plain.push_back(plain_row.runs[i].rtt_p50_us);
      p50_curve.push_back(curve_row.runs[i].rtt_p50_us);
      rps_plain.push_back(plain_row.runs[i].throughput_rps);
      rps_curve.push_back(curve_row.runs[i].throughput_rps);
    }
    auto p50 = median_ratio(p50_curve, p50_plain);
    auto rps = median_ratio(rps_curve, rps_plain);
    print_group_row(plain_row, "", {}, verdicts);
    print_group_row(curve_row,
                    fmt::format("p50 {:.2f}x, req/s {:.0f}% of daemon-tcp (security)",
                                p50.value_or(0), rps.value_or(0) * 100),
                    curve_goals(w.name, p50, rps), verdicts);
  }
}

} // namespace holobroker::bench
