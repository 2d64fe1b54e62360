#include "holobroker/broker/zmq_listener.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "holobroker/broker/ipc_endpoint.hpp"
#include "holobroker/security/audit.hpp"
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

  /// Socket options against untrusted peers; before binding.
  void harden(const frontend_options& opts) {
    if (!opts.zap_domain.empty())
      socket_.set(zmq::sockopt::zap_domain, opts.zap_domain);
    if (opts.max_message_size != 0)
      socket_.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(opts.max_message_size));
    if (opts.send_queue != 0)
      socket_.set(zmq::sockopt::sndhwm, static_cast<int>(opts.send_queue));
    ipc_mode_ = opts.ipc_mode;
    ipc_gid_ = opts.ipc_gid;
  }

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
      if (auto ok = restrict_ipc_file(address); !ok)
        return ok;
    }
    return true;
  }

  /// The socket file's mode and group as configured: whoever can connect()
  /// to it can talk to every Thing the policy lets them.
  expected<bool, std::string> restrict_ipc_file(const std::string& address) const {
    auto path = ipc_path_of(address);
    if (path.empty())
      return true;
    if (ipc_gid_ >= 0 && ::chown(path.c_str(), static_cast<uid_t>(-1),
                                 static_cast<gid_t>(ipc_gid_)) != 0)
      return unexpected<std::string>{"cannot give " + path + " to gid "
                                     + std::to_string(ipc_gid_) + ": " + std::strerror(errno)};
    if (ipc_mode_ != 0 && ::chmod(path.c_str(), static_cast<mode_t>(ipc_mode_)) != 0)
      return unexpected<std::string>{"cannot set the mode of " + path + ": "
                                     + std::strerror(errno)};
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
  std::uint32_t ipc_mode_ = 0;
  long ipc_gid_ = -1;
};

/// Handshake failures at a bound socket's endpoints, from libzmq's socket
/// monitor. A peer that does not speak an endpoint's mechanism (a plain
/// client at a CURVE endpoint, a CURVE client at a plain one) or sends no
/// valid greeting fails before the ZAP handler is asked, so without this
/// such a refused connection would be in no log. libzmq names only the
/// endpoint it reached, not the peer's address. The watched socket's owner
/// drains it whenever it reads that socket (same wake, same owner), and it
/// is unbounded on our side: libzmq's monitor sends block when the pipe is
/// full, which would stall its I/O thread.
class handshake_watch {
public:
  handshake_watch(const std::shared_ptr<zmq::context_t>& ctx, const std::shared_ptr<reactor>& io,
                  zmq::socket_t& watched, std::string domain)
    : watched_(watched.handle()), domain_(std::move(domain)),
      pair_(ctx, io, zmq::socket_type::pair) {
    static std::atomic<unsigned> next{0};
    auto endpoint = "inproc://holobroker.handshake-watch." + std::to_string(next++);
    if (zmq_socket_monitor(watched_, endpoint.c_str(),
                           ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
                             | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
        != 0)
      throw zmq::error_t{};
    pair_.socket().set(zmq::sockopt::rcvhwm, 0);
    pair_.socket().connect(endpoint);
  }

  ~handshake_watch() { zmq_socket_monitor(watched_, nullptr, 0); }

  /// Logs and audits every failure reported so far.
  void drain() {
    while (auto frames = zmqio::recv_multipart(pair_.socket())) {
      if (frames->size() != 2 || (*frames)[0].size() != 6)
        continue;
      std::uint16_t event = 0;
      std::uint32_t value = 0;
      std::memcpy(&event, (*frames)[0].data(), sizeof event); // little endian (x86/arm)
      std::memcpy(&value, (*frames)[0].data() + 2, sizeof value);
      auto endpoint = (*frames)[1].to_string();
      // Which side notices a mismatch first varies: when the peer does, we
      // see it leave mid-handshake (no detail).
      auto why = event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                   ? reason(value)
                   : std::string{"the peer left during the handshake (e.g. it found the "
                                 "mechanism does not match)"};
      spdlog::warn("refused a {} connection at {}: its handshake failed ({}); libzmq does not "
                   "say from where", domain_, endpoint, why);
      security::audit({"unknown peer", {}, "connect", domain_, {}, "refused",
                       fmt::format("at {}: handshake failed: {}", endpoint, why)});
    }
  }

  void watch(const wake_callback& wake) { pair_.watch(wake); }

private:
  static std::string reason(std::uint32_t code) {
    switch (code) {
      case ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH:
        return "mechanism mismatch: a client without CURVE at a CURVE endpoint, or with "
               "CURVE at a plain one";
      case ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC:
        return "CURVE cryptographic error (e.g. a wrong server key)";
      case ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE: return "CURVE key exchange failed";
      default: return fmt::format("ZMTP protocol error 0x{:08x}", code);
    }
  }

  void* watched_;
  std::string domain_;
  bound_socket pair_;
};

/// The front end's ROUTER, and with CURVE a second one for CURVE peers; the
/// identities of the two are tagged 'P' / 'C' so that replies find their
/// socket (listener.hpp).
class zmq_frontend_socket : public frontend_socket {
public:
  zmq_frontend_socket(std::unique_ptr<bound_socket> plain, std::unique_ptr<bound_socket> curve,
                      std::vector<std::unique_ptr<handshake_watch>> watches)
    : plain_(std::move(plain)), curve_(std::move(curve)), watches_(std::move(watches)) {}

  transport::send_result send(const wire::multipart& frames) override {
    if (!curve_)
      return send_on(*plain_, frames);
    if (frames.empty() || frames[0].size() < 2)
      return transport::send_result::unroutable;
    const auto& id = frames[0];
    auto* target = id.data()[0] == curve_identity_tag   ? curve_.get()
                   : id.data()[0] == plain_identity_tag ? plain_.get()
                                                        : nullptr;
    if (!target)
      return transport::send_result::unroutable;
    wire::multipart untagged = frames;
    untagged[0] = wire::shared_bytes{id.owner(), id.data() + 1, id.size() - 1};
    if (!id.owner())
      untagged[0] = wire::shared_bytes::copy_of(id.view().substr(1));
    return send_on(*target, untagged);
  }

  std::optional<wire::multipart> receive() override {
    std::string ignored;
    return receive(ignored);
  }

  std::optional<wire::multipart> receive(std::string& user_id) override {
    for (auto& w : watches_)
      w->drain();
    if (!curve_)
      return zmqio::recv_multipart(plain_->socket(), user_id);
    // Alternate which socket goes first: a flood on one never starves the other.
    curve_first_ = !curve_first_;
    for (int i = 0; i < 2; ++i) {
      bool curve = curve_first_ == (i == 0);
      auto& sock = curve ? *curve_ : *plain_;
      if (auto frames = zmqio::recv_multipart(sock.socket(), user_id)) {
        if (!frames->empty()) {
          std::string tagged(1, curve ? curve_identity_tag : plain_identity_tag);
          tagged += (*frames)[0].view();
          (*frames)[0] = wire::shared_bytes::from_string(std::move(tagged));
        }
        return frames;
      }
    }
    return std::nullopt;
  }

  void watch(wake_callback wake) override {
    for (auto& w : watches_)
      w->watch(wake);
    if (curve_)
      curve_->watch(wake);
    plain_->watch(std::move(wake));
  }

private:
  static transport::send_result send_on(bound_socket& sock, const wire::multipart& frames) {
    switch (zmqio::send_multipart(sock.socket(), frames)) {
      case zmqio::send_status::sent: return transport::send_result::sent;
      case zmqio::send_status::would_block: return transport::send_result::would_block;
      case zmqio::send_status::unroutable: break;
    }
    return transport::send_result::unroutable;
  }

  std::unique_ptr<bound_socket> plain_;
  std::unique_ptr<bound_socket> curve_;
  /// Destroyed first: each stops its monitor while its socket is open.
  std::vector<std::unique_ptr<handshake_watch>> watches_;
  bool curve_first_ = false;
};

/// ZMQ_XPUB_MANUAL_LAST_VALUE. zmq.h declares it only under
/// ZMQ_BUILD_DRAFT_API, so we name it ourselves: libzmq 4.3.4's xpub.cpp
/// handles it in every build (Debian's libzmq5 reports zmq_has("draft") == 0
/// and still accepts and implements it; tests/daemon/events_test.cpp pins
/// that). It is XPUB_MANUAL plus: the first message sent after a
/// subscription message was read goes only to the subscriber that sent it
/// (if one of its filters matches). Nothing else of the draft API is used.
/// Why we need it: "the last value to the new subscriber only" cannot be
/// done with one non-draft XPUB (XPUB_MANUAL filters apply to the last pipe,
/// but every send goes to all matching pipes, and a SUB filters locally).
constexpr int xpub_manual_last_value = 98;

/// Manual mode: the subscriber of the last message read ("current") stays
/// libzmq's `_last_pipe` until the next send. `armed_` tracks that, so that
/// an ordinary send() first spends the restriction on a message nobody can
/// match (one empty frame: every filter we set names a whole topic, none is
/// empty) instead of sending an event to the current subscriber only.
/// Without manual mode (libzmq refused the option) the socket is a plain
/// XPUB_VERBOSER: libzmq keeps the filters, filter() does nothing and
/// send_to_current() sends nothing.
class zmq_publisher_socket : public publisher_socket {
public:
  zmq_publisher_socket(std::unique_ptr<bound_socket> sock, bool manual,
                       std::unique_ptr<handshake_watch> watch)
    : sock_(std::move(sock)), manual_(manual), watch_(std::move(watch)) {}

  void send(const wire::multipart& frames) override {
    disarm();
    // PUB semantics: a slow subscriber past its HWM loses messages, the
    // publisher never blocks.
    zmqio::send_multipart(sock_->socket(), frames);
  }

  std::optional<wire::multipart> receive() override {
    std::string ignored;
    return receive(ignored);
  }

  std::optional<wire::multipart> receive(std::string& user_id) override {
    if (watch_)
      watch_->drain();
    auto frames = zmqio::recv_multipart(sock_->socket(), user_id);
    if (frames && manual_)
      armed_ = true;
    return frames;
  }

  void filter(std::string_view prefix, bool add) override {
    if (!manual_)
      return;
    // libzmq applies it to the pipe of the last message read (no-op if none).
    auto opt = add ? ZMQ_SUBSCRIBE : ZMQ_UNSUBSCRIBE;
    zmq_setsockopt(sock_->socket().handle(), opt, prefix.data(), prefix.size());
  }

  bool send_to_current(const wire::multipart& frames) override {
    if (!armed_)
      return false;
    armed_ = false;
    zmqio::send_multipart(sock_->socket(), frames);
    return true;
  }

  bool manual() const override { return manual_; }

  void watch(wake_callback wake) override {
    if (watch_)
      watch_->watch(wake);
    sock_->watch(std::move(wake));
  }

private:
  void disarm() {
    if (!armed_)
      return;
    armed_ = false;
    zmq::message_t nothing;
    (void)sock_->socket().send(nothing, zmq::send_flags::dontwait);
  }

  std::unique_ptr<bound_socket> sock_;
  bool manual_ = false;
  bool armed_ = false;
  std::unique_ptr<handshake_watch> watch_; ///< destroyed first, while sock_ is open
};

/// Sets manual last-value mode; false (with one warning per process) when
/// this libzmq refuses it: the broker then runs without the last value.
bool try_manual_last_value(zmq::socket_t& sock) {
  int on = 1;
  if (zmq_setsockopt(sock.handle(), xpub_manual_last_value, &on, sizeof on) == 0)
    return true;
  static std::once_flag warned;
  std::call_once(warned, [] {
    spdlog::warn("event publisher: this libzmq refuses ZMQ_XPUB_MANUAL_LAST_VALUE ({}); "
                 "running without the last value for new subscribers (last_value: is ignored)",
                 zmq_strerror(zmq_errno()));
  });
  return false;
}

class zmq_listener_factory : public listener_factory {
public:
  zmq_listener_factory(std::shared_ptr<zmq::context_t> ctx, std::shared_ptr<reactor> io)
    : ctx_(std::move(ctx)), io_(io ? std::move(io) : std::make_shared<reactor>()) {}

  expected<bound<frontend_socket>, std::string>
  open_frontend(const std::string& routing_id, const std::vector<std::string>& addresses,
                const frontend_options& options) override {
    try {
      // With security configured (a ZAP domain), every refused connection
      // is audited, also those refused before the ZAP handler is asked.
      // Declared after the sockets, so destroyed (monitors stopped) before
      // them on every return.
      auto sock = router(routing_id, options);
      std::unique_ptr<bound_socket> curve;
      std::vector<std::unique_ptr<handshake_watch>> watches;
      auto watched = [&](bound_socket& b) {
        if (!options.zap_domain.empty())
          watches.push_back(
            std::make_unique<handshake_watch>(ctx_, io_, b.socket(), options.zap_domain));
      };
      watched(*sock);
      if (auto ok = sock->bind_all(addresses); !ok)
        return unexpected<std::string>{ok.error()};
      auto endpoints = sock->endpoints();
      if (!options.curve_address.empty()) {
        curve = router(routing_id, options);
        watched(*curve);
        curve->socket().set(zmq::sockopt::curve_server, 1);
        curve->socket().set(zmq::sockopt::curve_secretkey, options.curve_secret_key);
        if (auto ok = curve->bind_all({options.curve_address}); !ok)
          return unexpected<std::string>{"CURVE: " + ok.error()};
        for (const auto& ep : curve->endpoints())
          endpoints.push_back("curve+" + ep);
      }
      return bound<frontend_socket>{
        std::make_unique<zmq_frontend_socket>(std::move(sock), std::move(curve),
                                              std::move(watches)),
        std::move(endpoints)};
    } catch (const zmq::error_t& err) {
      return unexpected<std::string>{std::string{"cannot open the front end: "} + err.what()};
    }
  }

  expected<bound<publisher_socket>, std::string>
  open_publisher(const std::vector<std::string>& addresses,
                 const frontend_options& options) override {
    try {
      auto sock = std::make_unique<bound_socket>(ctx_, io_, zmq::socket_type::xpub);
      bool manual = options.manual_last_value && try_manual_last_value(sock->socket());
      if (!manual)
        sock->socket().set(zmq::sockopt::xpub_verboser, 1);
      frontend_options pub;
      pub.zap_domain = options.zap_domain;
      pub.ipc_mode = options.ipc_mode;
      pub.ipc_gid = options.ipc_gid;
      sock->harden(pub);
      std::unique_ptr<handshake_watch> watch;
      if (!options.zap_domain.empty())
        watch = std::make_unique<handshake_watch>(ctx_, io_, sock->socket(), options.zap_domain);
      if (auto ok = sock->bind_all(addresses); !ok)
        return unexpected<std::string>{ok.error()};
      auto endpoints = sock->endpoints();
      if (!options.curve_event_address.empty()) {
        // One XPUB for both: libzmq copies the socket's options into a
        // listener when it binds, so what is bound above stays plain and
        // only this listener's connections must do CURVE. One socket keeps
        // the fan-in, the last values and the probes in one place.
        sock->socket().set(zmq::sockopt::curve_server, 1);
        sock->socket().set(zmq::sockopt::curve_secretkey, options.curve_secret_key);
        auto plain = endpoints.size();
        if (auto ok = sock->bind_all({options.curve_event_address}); !ok)
          return unexpected<std::string>{"CURVE: " + ok.error()};
        for (auto i = plain; i < sock->endpoints().size(); ++i)
          endpoints.push_back("curve+" + sock->endpoints()[i]);
      }
      return bound<publisher_socket>{
        std::make_unique<zmq_publisher_socket>(std::move(sock), manual, std::move(watch)),
        std::move(endpoints)};
    } catch (const zmq::error_t& err) {
      return unexpected<std::string>{std::string{"cannot open the event publisher: "}
                                     + err.what()};
    }
  }

private:
  std::unique_ptr<bound_socket> router(const std::string& routing_id,
                                       const frontend_options& options) {
    auto sock = std::make_unique<bound_socket>(ctx_, io_, zmq::socket_type::router);
    sock->socket().set(zmq::sockopt::routing_id, routing_id);
    sock->socket().set(zmq::sockopt::router_mandatory, 1);
    sock->harden(options);
    return sock;
  }

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
