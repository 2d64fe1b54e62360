#include "raw_echo.hpp"

#include <thread>

#include <zmq.hpp>

#include "holobroker/wire/requests.hpp"
#include "holobroker/wire/response.hpp"
#include "holobroker/zmq/multipart_io.hpp"
#include "stats.hpp"

namespace holobroker::bench {

namespace {

wire::multipart recv_blocking(zmq::socket_t& socket) {
  wire::multipart frames;
  for (;;) {
    zmq::message_t msg;
    (void) socket.recv(msg, zmq::recv_flags::none);
    bool more = msg.more();
    frames.push_back(zmqio::adopt(std::move(msg)));
    if (!more)
      return frames;
  }
}

// Echoes every request with a REPLY-sized header and the request's payload;
// a 1-frame message stops it.
void echo_server(zmq::socket_t server, wire::shared_bytes reply_header) {
  for (;;) {
    auto frames = recv_blocking(server);
    if (frames.size() < 5) {
      return;
    }
    wire::multipart reply{frames[0], wire::empty_frame(), reply_header, frames[3],
                          wire::empty_frame()};
    zmqio::send_multipart(server, reply, false);
  }
}

} // namespace

path_figures run_raw_echo(const std::string& transport, const workload& w,
                          const std::string& work_dir, int window) {
  zmq::context_t ctx;
  zmq::socket_t server{ctx, zmq::socket_type::router};
  server.set(zmq::sockopt::routing_id, "raw-echo-server");
  server.set(zmq::sockopt::linger, 0);
  if (transport == "ipc")
    server.bind("ipc://" + work_dir + "/raw-echo.ipc");
  else
    server.bind("tcp://127.0.0.1:0");
  auto endpoint = server.get(zmq::sockopt::last_endpoint);

  auto request = wire::make_operation("raw-echo-client", "raw-echo-server", "spectrometer",
                                      "integration_time", wire::op::read_property,
                                      json_payload(w.payload_size));
  auto request_frames = wire::craft_request("raw-echo-server", request);
  auto reply = wire::make_response(wire::message_type::reply, request.header, "raw-echo-server");
  auto reply_header = wire::shared_bytes::from_string(wire::encode(reply.header));

  std::thread server_thread{echo_server, std::move(server), reply_header};

  zmq::socket_t client{ctx, zmq::socket_type::router};
  client.set(zmq::sockopt::routing_id, "raw-echo-client");
  client.set(zmq::sockopt::router_mandatory, 1);
  client.set(zmq::sockopt::linger, 0);
  client.connect(endpoint);
  // Wait until the server's identity is known (mandatory: unroutable fails).
  while (zmqio::send_multipart(client, request_frames, true) != zmqio::send_status::sent)
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  (void) recv_blocking(client);

  path_figures fig;
  std::vector<clock::duration> rtts;
  rtts.reserve(w.rtt_iterations);
  for (std::size_t i = 0; i < w.rtt_iterations; ++i) {
    auto t0 = clock::now();
    zmqio::send_multipart(client, request_frames, false);
    (void) recv_blocking(client);
    rtts.push_back(clock::now() - t0);
  }
  fig.rtt_p50_us = percentile_us(rtts, 0.50);
  fig.rtt_p99_us = percentile_us(rtts, 0.99);

  auto t0 = clock::now();
  std::size_t sent = 0;
  std::size_t received = 0;
  for (; sent < w.pipelined && sent < static_cast<std::size_t>(window); ++sent)
    zmqio::send_multipart(client, request_frames, false);
  while (received < w.pipelined) {
    (void) recv_blocking(client);
    ++received;
    if (sent < w.pipelined) {
      zmqio::send_multipart(client, request_frames, false);
      ++sent;
    }
  }
  double secs = std::chrono::duration<double>(clock::now() - t0).count();
  fig.throughput_rps = static_cast<double>(w.pipelined) / secs;
  fig.bandwidth_mib_s = fig.throughput_rps * 2.0 * static_cast<double>(w.payload_size)
                        / (1024.0 * 1024.0);

  zmqio::send_multipart(client, {wire::shared_bytes::copy_of("raw-echo-server"),
                                 wire::shared_bytes::copy_of("stop")},
                        false);
  server_thread.join();
  return fig;
}

} // namespace holobroker::bench
