#include "holobroker/broker/zmq_listener.hpp"

#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "holobroker/broker/ipc_endpoint.hpp"
#include "holobroker/transport/reactor.hpp"
#include "holobroker/zmq/multipart_io.hpp"

namespace holobroker::broker {

namespace {

using transport::reactor;
using transport::wake_callback;

/// libzmq spells "any free port" `*`; the configuration spells it 0.
std::string bind_spec(const std::string& address) {
  if (address.rfind("tcp://", 0) == 0 && address.size() > 2
      && address.compare(address.size() - 2, 2, ":0") == 0)
    return address.substr(0, address.size() - 1) + "*";
  return address;
}

/// A bound socket registered with the reactor; deregisters before closing
/// and removes the IPC files it created.
class bound_socket {
public:
  bound_socket(std::shared_ptr<zmq::context_t> ctx, std::shared_ptr<reactor> io,
               zmq::socket_type type)
    : ctx_(std::move(ctx)), io_(std::move(io)), socket_(*ctx_, type) {
    socket_.set(zmq::sockopt::linger, 0);
  }

  ~bound_socket() {
    if (token_ != 0)
      io_->remove(token_);
    socket_.close();
    for (auto& ep : endpoints_)
      release_ipc_endpoint(ep);
  }

  zmq::socket_t& socket() noexcept { return socket_; }

  /// Binds every address; the error names the address that failed.
  expected<bool, std::string> bind_all(const std::vector<std::string>& addresses) {
    for (auto& address : addresses) {
      if (auto ok = claim_ipc_endpoint(address); !ok)
        return unexpected<std::string>{ok.error()};
      try {
        socket_.bind(bind_spec(address));
      } catch (const zmq::error_t& err) {
        if (err.num() == EADDRINUSE)
          return unexpected<std::string>{"address in use by another process: " + address};
        return unexpected<std::string>{"cannot bind " + address + ": " + err.what()};
      }
      endpoints_.push_back(socket_.get(zmq::sockopt::last_endpoint));
    }
    return true;
  }

  const std::vector<std::string>& endpoints() const noexcept { return endpoints_; }

  void watch(wake_callback wake) {
    if (token_ != 0)
      io_->remove(token_);
    token_ = io_->add(socket_.get(zmq::sockopt::fd), std::move(wake));
  }

private:
  std::shared_ptr<zmq::context_t> ctx_;
  std::shared_ptr<reactor> io_;
  zmq::socket_t socket_;
  reactor::token token_ = 0;
  std::vector<std::string> endpoints_;
};

class zmq_frontend_socket : public frontend_socket {
public:
  explicit zmq_frontend_socket(std::unique_ptr<bound_socket> sock) : sock_(std::move(sock)) {}

  transport::send_result send(const wire::multipart& frames) override {
    switch (zmqio::send_multipart(sock_->socket(), frames)) {
      case zmqio::send_status::sent: return transport::send_result::sent;
      case zmqio::send_status::would_block: return transport::send_result::would_block;
      case zmqio::send_status::unroutable: break;
    }
    return transport::send_result::unroutable;
  }

  std::optional<wire::multipart> receive() override {
    return zmqio::recv_multipart(sock_->socket());
  }

  void watch(wake_callback wake) override { sock_->watch(std::move(wake)); }

private:
  std::unique_ptr<bound_socket> sock_;
};

class zmq_publisher_socket : public publisher_socket {
public:
  explicit zmq_publisher_socket(std::unique_ptr<bound_socket> sock) : sock_(std::move(sock)) {}

  void send(const wire::multipart& frames) override {
    // PUB semantics: a slow subscriber past its HWM loses messages, the
    // publisher never blocks.
    zmqio::send_multipart(sock_->socket(), frames);
  }

  std::optional<wire::multipart> receive() override {
    return zmqio::recv_multipart(sock_->socket());
  }

  void watch(wake_callback wake) override { sock_->watch(std::move(wake)); }

private:
  std::unique_ptr<bound_socket> sock_;
};

class zmq_listener_factory : public listener_factory {
public:
  zmq_listener_factory(std::shared_ptr<zmq::context_t> ctx, std::shared_ptr<reactor> io)
    : ctx_(std::move(ctx)), io_(io ? std::move(io) : std::make_shared<reactor>()) {}

  expected<bound<frontend_socket>, std::string>
  open_frontend(const std::string& routing_id,
                const std::vector<std::string>& addresses) override {
    try {
      auto sock = std::make_unique<bound_socket>(ctx_, io_, zmq::socket_type::router);
      sock->socket().set(zmq::sockopt::routing_id, routing_id);
      sock->socket().set(zmq::sockopt::router_mandatory, 1);
      if (auto ok = sock->bind_all(addresses); !ok)
        return unexpected<std::string>{ok.error()};
      auto endpoints = sock->endpoints();
      return bound<frontend_socket>{std::make_unique<zmq_frontend_socket>(std::move(sock)),
                                    std::move(endpoints)};
    } catch (const zmq::error_t& err) {
      return unexpected<std::string>{std::string{"cannot open the front end: "} + err.what()};
    }
  }

  expected<bound<publisher_socket>, std::string>
  open_publisher(const std::vector<std::string>& addresses) override {
    try {
      auto sock = std::make_unique<bound_socket>(ctx_, io_, zmq::socket_type::xpub);
      sock->socket().set(zmq::sockopt::xpub_verboser, 1);
      if (auto ok = sock->bind_all(addresses); !ok)
        return unexpected<std::string>{ok.error()};
      auto endpoints = sock->endpoints();
      return bound<publisher_socket>{std::make_unique<zmq_publisher_socket>(std::move(sock)),
                                     std::move(endpoints)};
    } catch (const zmq::error_t& err) {
      return unexpected<std::string>{std::string{"cannot open the event publisher: "}
                                     + err.what()};
    }
  }

private:
  std::shared_ptr<zmq::context_t> ctx_;
  std::shared_ptr<reactor> io_;
};

} // namespace

std::shared_ptr<listener_factory>
make_zmq_listener_factory(std::shared_ptr<zmq::context_t> context,
                          std::shared_ptr<transport::reactor> io) {
  if (!context)
    context = std::make_shared<zmq::context_t>(1);
  return std::make_shared<zmq_listener_factory>(std::move(context), std::move(io));
}

} // namespace holobroker::broker
