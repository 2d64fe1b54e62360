#include "raw_client.hpp"

#include "holobroker/wire/requests.hpp"
#include "holobroker/zmq/multipart_io.hpp"

namespace holobroker::test {

namespace {
using clock_type = std::chrono::steady_clock;

std::chrono::milliseconds left_until(clock_type::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
  return left.count() > 0 ? left : std::chrono::milliseconds{0};
}
} // namespace

raw_client::raw_client(zmq::context_t& ctx, const std::string& identity,
                       const std::string& address)
  : identity_(identity), socket_(ctx, zmq::socket_type::router) {
  socket_.set(zmq::sockopt::routing_id, identity);
  socket_.set(zmq::sockopt::linger, 0);
  socket_.set(zmq::sockopt::sndhwm, 100000);
  socket_.set(zmq::sockopt::rcvhwm, 100000);
  socket_.connect(address);
}

void raw_client::send(const wire::multipart& frames) {
  zmqio::send_multipart(socket_, frames, false);
}

std::optional<wire::multipart> raw_client::recv(std::chrono::milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  for (;;) {
    if (auto msg = zmqio::recv_multipart(socket_))
      return msg;
    auto left = left_until(deadline);
    if (left.count() == 0)
      return std::nullopt;
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, left);
  }
}

bool raw_client::handshake(const std::string& server_id, std::chrono::milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  while (left_until(deadline).count() > 0) {
    auto hs = wire::make_handshake(identity_, server_id);
    send(wire::craft_request(server_id, hs));
    auto retry_at = clock_type::now() + std::chrono::milliseconds{100};
    while (auto msg = recv(std::min(left_until(retry_at), left_until(deadline)))) {
      auto res = wire::parse_response(*msg);
      if (res && res->header.type == wire::message_type::handshake
          && res->header.message_id == hs.header.message_id)
        return true;
    }
  }
  return false;
}

std::optional<wire::response> raw_client::await(const std::string& message_id,
                                                std::chrono::milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  while (auto msg = recv(left_until(deadline))) {
    auto res = wire::parse_response(*msg);
    if (res && res->header.message_id == message_id)
      return std::move(*res);
  }
  return std::nullopt;
}

std::optional<wire::response> raw_client::call(const std::string& server_id,
                                               const wire::request& req,
                                               std::chrono::milliseconds timeout) {
  send(wire::craft_request(server_id, req));
  return await(req.header.message_id, timeout);
}

wire::request operation(const std::string& client, const std::string& server,
                        const std::string& thing, const std::string& objekt,
                        const std::string& op, const std::string& payload,
                        const wire::server_execution_context& ctx) {
  return wire::make_operation(client, server, thing, objekt, op,
                              wire::shared_bytes::copy_of(payload), ctx);
}

} // namespace holobroker::test
