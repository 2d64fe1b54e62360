#include "raw_client.hpp"

#include <stdexcept>
#include <thread>

#include "holobroker/wire/requests.hpp"
#include "holobroker/wire/response.hpp"
#include "holobroker/zmq/multipart_io.hpp"
#include "stats.hpp"

namespace holobroker::bench {

namespace {

constexpr int receive_timeout_ms = 30000;

wire::multipart recv_frames(zmq::socket_t& socket) {
  wire::multipart frames;
  for (;;) {
    zmq::message_t msg;
    if (!socket.recv(msg, zmq::recv_flags::none))
      throw std::runtime_error("no reply within 30 s");
    bool more = msg.more();
    frames.push_back(zmqio::adopt(std::move(msg)));
    if (!more)
      return frames;
  }
}

} // namespace

void expect_reply(const wire::multipart& frames, const std::string& what) {
  auto res = wire::parse_response(frames);
  if (!res)
    throw std::runtime_error(what + ": unreadable reply: " + res.error().to_string());
  if (res->header.type != wire::message_type::reply)
    throw std::runtime_error(what + ": got " + std::string{to_string(res->header.type)}
                             + " instead of REPLY: " + res->payload.to_string().substr(0, 300));
}

raw_client::raw_client(zmq::context_t& ctx, std::string client_id, const std::string& endpoint,
                       std::string server_id, const std::optional<curve_client>& curve)
  : client_id_(std::move(client_id)),
    server_id_(std::move(server_id)),
    socket_(ctx, zmq::socket_type::router) {
  socket_.set(zmq::sockopt::routing_id, client_id_);
  socket_.set(zmq::sockopt::router_mandatory, 1);
  socket_.set(zmq::sockopt::linger, 0);
  socket_.set(zmq::sockopt::rcvtimeo, receive_timeout_ms);
  // Windows of 64 x 1 MiB must not hit the default high-water marks.
  socket_.set(zmq::sockopt::sndhwm, 0);
  socket_.set(zmq::sockopt::rcvhwm, 0);
  if (curve) {
    socket_.set(zmq::sockopt::curve_serverkey, curve->server_public_key);
    socket_.set(zmq::sockopt::curve_publickey, curve->public_key);
    socket_.set(zmq::sockopt::curve_secretkey, curve->secret_key);
  }
  socket_.connect(endpoint);
}

void raw_client::handshake(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto frames = wire::craft_request(server_id_, wire::make_handshake(client_id_, server_id_));
  while (zmqio::send_multipart(socket_, frames, true) != zmqio::send_status::sent) {
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("server '" + server_id_ + "' not routable for client '"
                               + client_id_ + "'");
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  }
  (void) recv_frames(socket_);
}

wire::multipart raw_client::call(const wire::multipart& request) {
  send(request);
  return recv_frames(socket_);
}

std::optional<wire::multipart> raw_client::call_within(const wire::multipart& request,
                                                       const std::string& message_id,
                                                       std::chrono::milliseconds timeout) {
  auto deadline = clock::now() + timeout;
  send(request);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0)
      return std::nullopt;
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, left) == 0)
      return std::nullopt;
    auto frames = recv_frames(socket_);
    auto res = wire::parse_response(frames);
    if (res && res->header.message_id == message_id)
      return frames;
  }
}

std::vector<wire::multipart> raw_client::request_pool(const workload& w,
                                                      const std::vector<std::string>& thing_ids,
                                                      std::size_t count) const {
  std::vector<wire::multipart> pool;
  pool.reserve(count);
  for (std::size_t i = 0; i < count; ++i)
    pool.push_back(wire::craft_request(
      server_id_, make_request(w, client_id_, server_id_, thing_ids[i % thing_ids.size()])));
  return pool;
}

void raw_client::send(const wire::multipart& frames) {
  if (zmqio::send_multipart(socket_, frames, false) != zmqio::send_status::sent)
    throw std::runtime_error("server '" + server_id_ + "' became unroutable");
}

void raw_client::receive(bool check, const std::optional<clock::time_point>& deadline) {
  if (deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - clock::now());
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    if (left.count() <= 0 || zmq::poll(&item, 1, left) == 0)
      throw measurement_overrun("no reply from '" + server_id_ + "' to '" + client_id_
                                + "' by the measurement's deadline");
  }
  if (check) {
    expect_reply(recv_frames(socket_), "reply from '" + server_id_ + "' to '" + client_id_ + "'");
    return;
  }
  // Counting only: one reused message, no allocation per frame.
  do {
    if (!socket_.recv(scratch_, zmq::recv_flags::none))
      throw std::runtime_error("no reply within 30 s from '" + server_id_ + "'");
  } while (scratch_.more());
}

path_figures raw_client::measure(const std::vector<wire::multipart>& pool, const workload& w,
                                 int window, std::optional<clock::time_point> deadline) {
  path_figures fig;
  std::size_t next = 0;
  auto take = [&]() -> const wire::multipart& { return pool[next++ % pool.size()]; };

  // Warm-up: connections, allocator and caches on every hop.
  auto warm = std::max<std::size_t>(w.rtt_iterations / 10, 20);
  for (std::size_t i = 0; i < warm; ++i) {
    send(take());
    receive(i == 0, deadline);
  }

  std::vector<clock::duration> rtts;
  rtts.reserve(w.rtt_iterations);
  for (std::size_t i = 0; i < w.rtt_iterations; ++i) {
    auto t0 = clock::now();
    send(take());
    receive(false, deadline);
    rtts.push_back(clock::now() - t0);
  }
  fig.rtt_p50_us = percentile_us(rtts, 0.50);
  fig.rtt_p99_us = percentile_us(rtts, 0.99);

  auto in_window = static_cast<std::size_t>(window);
  auto t0 = clock::now();
  std::size_t sent = 0;
  std::size_t received = 0;
  for (; sent < w.pipelined && sent < in_window; ++sent)
    send(take());
  while (received < w.pipelined) {
    receive(received % 256 == 0, deadline);
    ++received;
    if (sent < w.pipelined) {
      send(take());
      ++sent;
    }
  }
  double secs = std::chrono::duration<double>(clock::now() - t0).count();
  fig.throughput_rps = static_cast<double>(w.pipelined) / secs;
  fig.bandwidth_mib_s = fig.throughput_rps * 2.0 * static_cast<double>(w.size)
                        / (1024.0 * 1024.0);
  return fig;
}

path_figures raw_client::measure_rtt_until(const std::vector<wire::multipart>& pool,
                                           const workload& w, clock::time_point deadline,
                                           std::size_t& completed) {
  path_figures fig;
  completed = 0;
  std::size_t next = 0;
  auto take = [&]() -> const wire::multipart& { return pool[next++ % pool.size()]; };
  std::vector<clock::duration> rtts;
  rtts.reserve(w.rtt_iterations);
  try {
    auto warm = std::max<std::size_t>(w.rtt_iterations / 10, 20);
    for (std::size_t i = 0; i < warm; ++i) {
      send(take());
      receive(i == 0, deadline);
    }
    for (std::size_t i = 0; i < w.rtt_iterations; ++i) {
      auto t0 = clock::now();
      send(take());
      receive(i % 256 == 0, deadline);
      rtts.push_back(clock::now() - t0);
    }
  } catch (const measurement_overrun&) {
    // What was timed before the deadline stands; the caller reports how much.
  }
  completed = rtts.size();
  fig.rtt_p50_us = percentile_us(rtts, 0.50);
  fig.rtt_p99_us = percentile_us(rtts, 0.99);
  return fig;
}

} // namespace holobroker::bench
