#include "holobroker/transport/zmq_transport.hpp"

#include <atomic>
#include <cstring>

#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "holobroker/transport/reactor.hpp"
#include "holobroker/zmq/multipart_io.hpp"

namespace holobroker::transport {

namespace {

/// Deregisters from the reactor before the socket closes (member order).
class watched_socket {
public:
  watched_socket(std::shared_ptr<zmq::context_t> ctx, std::shared_ptr<reactor> io,
                 zmq::socket_type type)
    : ctx_(std::move(ctx)), io_(std::move(io)), socket_(*ctx_, type) {
    socket_.set(zmq::sockopt::linger, 0);
  }

  ~watched_socket() {
    if (token_ != 0)
      io_->remove(token_);
  }

  zmq::socket_t& socket() noexcept { return socket_; }

  void watch(wake_callback wake) {
    if (token_ != 0)
      io_->remove(token_);
    token_ = io_->add(socket_.get(zmq::sockopt::fd), std::move(wake));
  }

  const std::shared_ptr<zmq::context_t>& context() const noexcept { return ctx_; }

private:
  std::shared_ptr<zmq::context_t> ctx_;
  std::shared_ptr<reactor> io_;
  zmq::socket_t socket_;
  reactor::token token_ = 0;
};

link_event_kind kind_of(std::uint16_t event) {
  switch (event) {
    case ZMQ_EVENT_CONNECTED: return link_event_kind::connected;
    case ZMQ_EVENT_DISCONNECTED: return link_event_kind::disconnected;
    case ZMQ_EVENT_CONNECT_RETRIED: return link_event_kind::retried;
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: return link_event_kind::ready;
    default: return link_event_kind::other;
  }
}

class zmq_link_monitor : public link_monitor {
public:
  zmq_link_monitor(std::shared_ptr<zmq::context_t> ctx, std::shared_ptr<reactor> io,
                   const std::string& endpoint)
    : sock_(std::move(ctx), std::move(io), zmq::socket_type::pair) {
    sock_.socket().connect(endpoint);
  }

  std::optional<link_event> next() override {
    for (;;) {
      auto frames = zmqio::recv_multipart(sock_.socket());
      if (!frames)
        return std::nullopt;
      if (frames->size() != 2 || (*frames)[0].size() != 6) {
        spdlog::warn("socket monitor: ignoring a malformed monitor message ({} frames)",
                     frames->size());
        continue;
      }
      std::uint16_t event = 0;
      std::memcpy(&event, (*frames)[0].data(), sizeof(event)); // little endian (x86/arm)
      return link_event{kind_of(event), (*frames)[1].to_string()};
    }
  }

  void watch(wake_callback wake) override { sock_.watch(std::move(wake)); }

private:
  watched_socket sock_;
};

class zmq_request_transport : public request_transport {
public:
  zmq_request_transport(std::shared_ptr<zmq::context_t> ctx, std::shared_ptr<reactor> io,
                        const std::string& client_id, const std::string& address,
                        const std::optional<curve_client_keys>& curve)
    : io_(io), sock_(std::move(ctx), std::move(io), zmq::socket_type::router) {
    auto& s = sock_.socket();
    s.set(zmq::sockopt::routing_id, zmq::buffer(client_id.data(), client_id.size()));
    s.set(zmq::sockopt::router_mandatory, 1);
    if (curve) {
      s.set(zmq::sockopt::curve_serverkey, curve->server_public_key);
      s.set(zmq::sockopt::curve_publickey, curve->public_key);
      s.set(zmq::sockopt::curve_secretkey, curve->secret_key);
    }
    s.connect(address);
  }

  send_result send(const wire::multipart& frames) override {
    switch (zmqio::send_multipart(sock_.socket(), frames, true)) {
      case zmqio::send_status::sent: return send_result::sent;
      case zmqio::send_status::would_block: return send_result::would_block;
      case zmqio::send_status::unroutable: return send_result::unroutable;
    }
    return send_result::unroutable;
  }

  std::optional<wire::multipart> receive() override {
    return zmqio::recv_multipart(sock_.socket());
  }

  void watch(wake_callback wake) override { sock_.watch(std::move(wake)); }

  std::unique_ptr<link_monitor> open_monitor() override {
    static std::atomic<std::uint64_t> counter{0};
    auto endpoint = "inproc://holobroker-monitor-" + std::to_string(++counter);
    int events = ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_CONNECT_RETRIED
                 | ZMQ_EVENT_HANDSHAKE_SUCCEEDED;
    if (zmq_socket_monitor(sock_.socket().handle(), endpoint.c_str(), events) != 0) {
      spdlog::error("cannot monitor the client socket: {}", zmq_strerror(zmq_errno()));
      return nullptr;
    }
    return std::make_unique<zmq_link_monitor>(sock_.context(), io_, endpoint);
  }

private:
  std::shared_ptr<reactor> io_;
  watched_socket sock_;
};

class zmq_event_transport : public event_transport {
public:
  zmq_event_transport(std::shared_ptr<zmq::context_t> ctx, std::shared_ptr<reactor> io,
                      const std::string& address, const std::optional<curve_client_keys>& curve)
    : sock_(std::move(ctx), std::move(io), zmq::socket_type::sub) {
    if (curve) {
      auto& s = sock_.socket();
      s.set(zmq::sockopt::curve_serverkey, curve->server_public_key);
      s.set(zmq::sockopt::curve_publickey, curve->public_key);
      s.set(zmq::sockopt::curve_secretkey, curve->secret_key);
    }
    sock_.socket().connect(address);
  }

  void subscribe(std::string_view topic) override {
    sock_.socket().set(zmq::sockopt::subscribe, topic);
  }

  void unsubscribe(std::string_view topic) override {
    sock_.socket().set(zmq::sockopt::unsubscribe, topic);
  }

  std::optional<wire::multipart> receive() override {
    return zmqio::recv_multipart(sock_.socket());
  }

  void watch(wake_callback wake) override { sock_.watch(std::move(wake)); }

private:
  watched_socket sock_;
};

class zmq_transport_factory : public transport_factory {
public:
  zmq_transport_factory(std::shared_ptr<zmq::context_t> ctx, std::shared_ptr<reactor> io,
                        std::optional<curve_client_keys> curve)
    : ctx_(std::move(ctx)), io_(io ? std::move(io) : std::make_shared<reactor>()),
      curve_(std::move(curve)) {}

  expected<std::unique_ptr<request_transport>, std::string>
  open_request(const std::string& client_id, const std::string& address) override {
    if (client_id.empty() || client_id.size() > 255 || client_id.front() == '\0')
      return unexpected<std::string>{"invalid client id \"" + client_id
                                     + "\": must be 1 to 255 bytes, not starting with NUL"};
    try {
      return std::unique_ptr<request_transport>{
        std::make_unique<zmq_request_transport>(ctx_, io_, client_id, address, curve_)};
    } catch (const zmq::error_t& err) {
      return unexpected<std::string>{"cannot connect to \"" + address + "\": " + err.what()};
    }
  }

  expected<std::unique_ptr<event_transport>, std::string>
  open_events(const std::string& address) override {
    try {
      return std::unique_ptr<event_transport>{
        std::make_unique<zmq_event_transport>(ctx_, io_, address, curve_)};
    } catch (const zmq::error_t& err) {
      return unexpected<std::string>{"cannot connect to \"" + address + "\": " + err.what()};
    }
  }

private:
  std::shared_ptr<zmq::context_t> ctx_;
  std::shared_ptr<reactor> io_;
  std::optional<curve_client_keys> curve_;
};

} // namespace

std::shared_ptr<transport_factory>
make_zmq_transport_factory(std::shared_ptr<zmq::context_t> context,
                           std::shared_ptr<reactor> io,
                           std::optional<curve_client_keys> curve) {
  if (!context)
    context = std::make_shared<zmq::context_t>(1);
  return std::make_shared<zmq_transport_factory>(std::move(context), std::move(io),
                                                 std::move(curve));
}

} // namespace holobroker::transport
