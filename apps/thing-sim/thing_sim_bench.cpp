// thing-sim-bench: how many replies per second one thing-sim event loop
// serves. A simulator runs embedded on its own thread (exactly the loop the
// thing-sim binary runs); a raw ROUTER client on the main thread keeps
// `--window` requests in flight over IPC in a temporary directory and counts
// replies. Prints one line per scenario; figures go to docs/BENCHMARKS.md.

#include <chrono>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include <pthread.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "holobroker/wire/requests.hpp"
#include "holobroker/wire/response.hpp"
#include "holobroker/zmq/multipart_io.hpp"
#include "simulator.hpp"

using namespace holobroker;
using clock_type = std::chrono::steady_clock;

namespace {

struct scenario {
  std::string name;
  std::string objekt;
  std::string operation;
  std::string payload;
};

/// CPU time consumed so far by the thread behind `clock`.
double cpu_seconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct figures {
  double replies_per_s = 0;     ///< wall clock, client's view
  double server_cpu_us = 0;     ///< CPU time of the simulator's loop thread per reply
};

/// Pipelines `total` copies of `req` with at most `window` in flight (every
/// reply must be a REPLY).
figures run(zmq::socket_t& client, const std::string& server, const wire::request& req,
            long total, long window, clockid_t server_clock) {
  auto frames = wire::craft_request(server, req);
  long sent = 0;
  long received = 0;
  long bad = 0;
  auto start = clock_type::now();
  auto cpu_start = cpu_seconds(server_clock);
  while (received < total) {
    while (sent < total && sent - received < window) {
      zmqio::send_multipart(client, frames, false);
      ++sent;
    }
    zmq::pollitem_t item{client.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::milliseconds{5000}) == 0) {
      std::fprintf(stderr, "no reply for 5 s after %ld replies\n", received);
      return {};
    }
    while (auto msg = zmqio::recv_multipart(client)) {
      ++received;
      if (msg->size() != 5 || msg->at(2).view().find("\"REPLY\"") == std::string_view::npos)
        ++bad;
    }
  }
  auto secs = std::chrono::duration<double>(clock_type::now() - start).count();
  auto cpu = cpu_seconds(server_clock) - cpu_start;
  if (bad > 0)
    std::fprintf(stderr, "%ld replies were not REPLY\n", bad);
  return {static_cast<double>(total) / secs, cpu * 1e6 / static_cast<double>(total)};
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"thing-sim-bench: pipelined request throughput of one thing-sim loop over IPC"};
  long total = 1'000'000;
  long window = 1000;
  long big_total = 2000;
  app.add_option("--requests", total, "requests per small-payload scenario");
  app.add_option("--window", window, "requests in flight");
  app.add_option("--big-requests", big_total, "requests of the 1 MiB echo scenario");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  auto dir = std::filesystem::temp_directory_path()
             / ("thing-sim-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto cfg = sim::default_config();
  cfg.temp_dir = dir.string();
  for (auto& s : cfg.servers)
    for (auto& t : s.things)
      for (auto& e : t.events)
        e.period_s = 0; // no periodic events in the measurement
  sim::simulator simulator{cfg};
  simulator.bind();
  auto address = simulator.listening_lines().at(0);
  address = address.substr(address.find("ipc://"));
  address = address.substr(0, address.find(' '));
  std::thread loop{[&] { simulator.run(false); }};
  clockid_t server_clock{};
  pthread_getcpuclockid(loop.native_handle(), &server_clock);

  zmq::context_t ctx{1};
  zmq::socket_t client{ctx, zmq::socket_type::router};
  client.set(zmq::sockopt::routing_id, "bench-client");
  client.set(zmq::sockopt::linger, 0);
  client.set(zmq::sockopt::sndhwm, 0);
  client.set(zmq::sockopt::rcvhwm, 0);
  client.connect(address);
  // Wait until the connection is up (a ROUTER drops messages for unknown peers).
  for (int i = 0; i < 100; ++i) {
    auto hs = wire::make_handshake("bench-client", "thing-sim");
    zmqio::send_multipart(client, wire::craft_request("thing-sim", hs), false);
    zmq::pollitem_t item{client.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::milliseconds{100}) > 0) {
      while (zmqio::recv_multipart(client)) {
      }
      break;
    }
  }

  std::string mib(1 << 20, 'x');
  std::string big_payload = R"({"data":")" + mib + R"("})";
  scenario scenarios[] = {
    {"readproperty integration_time", "integration_time", "readproperty", "null"},
    {"invokeaction echo (small kwargs)", "echo", "invokeaction", R"({"value":42,"tag":"bench"})"},
    {"invokeaction echo (1 MiB kwargs)", "echo", "invokeaction", big_payload},
  };
  std::printf("thing-sim-bench: IPC, window %ld, one server loop\n", window);
  for (const auto& s : scenarios) {
    auto req = wire::make_operation("bench-client", "thing-sim", "spectrometer", s.objekt,
                                    s.operation, wire::shared_bytes::copy_of(s.payload));
    bool big = s.payload.size() > 4096;
    long n = big ? big_total : total;
    long w = big ? std::min(window, 16L) : window;
    run(client, "thing-sim", req, std::min(n, 20000L), w, server_clock); // warm-up
    auto f = run(client, "thing-sim", req, n, w, server_clock);
    std::printf("%-34s %9.0f replies/s  server loop %7.2f us CPU/reply (= %9.0f/s of one "
                "core)  [%ld requests%s]\n",
                s.name.c_str(), f.replies_per_s, f.server_cpu_us,
                f.server_cpu_us > 0 ? 1e6 / f.server_cpu_us : 0.0, n,
                big ? ", window 16" : "");
    std::fflush(stdout);
  }
  simulator.request_stop();
  loop.join();
  std::filesystem::remove_all(dir);
  return 0;
}
