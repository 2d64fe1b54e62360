#pragma once

// The broker's bound sockets behind an interface, the counterpart of
// transport/transport.hpp (which only connects): the front end's ROUTER that
// hololinked clients connect to, and the XPUB that republishes the fleet's
// events. Same ownership rules: one actor owns each socket and does all I/O
// from its own context; `watch` only tells it when to drain. A fake
// implementation drives the actors under CAF's test coordinator.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "holobroker/expected.hpp"
#include "holobroker/transport/transport.hpp"
#include "holobroker/wire/frames.hpp"

namespace holobroker::broker {

/// With a CURVE front end, the first byte of every client identity says
/// which socket it came through (zmq_listener.cpp adds it on receive and
/// strips it on send; the front end reads it to point CURVE clients at the
/// CURVE endpoints). One owner of the tag for both.
inline constexpr char curve_identity_tag = 'C';
inline constexpr char plain_identity_tag = 'P';

/// Whether `identity` (tagged as above) came through the CURVE socket.
inline bool came_over_curve(std::string_view identity) noexcept {
  return !identity.empty() && identity.front() == curve_identity_tag;
}

/// A bound ROUTER with routing id = broker id. Frame 0 of every message is
/// the peer's transport identity (and must be, when sending).
class frontend_socket {
public:
  virtual ~frontend_socket() = default;
  virtual transport::send_result send(const wire::multipart& frames) = 0;
  virtual std::optional<wire::multipart> receive() = 0;
  /// The same, and who sent it: the ZAP handler's User-Id for the
  /// connection (security/principal.hpp), empty when no ZAP ran.
  virtual std::optional<wire::multipart> receive(std::string& user_id) {
    user_id.clear();
    return receive();
  }
  virtual void watch(transport::wake_callback wake) = 0;
};

/// How the front end's sockets are set up against untrusted peers.
struct frontend_options {
  /// ZAP domain of the socket(s) (security/zap_handler.hpp); empty: no ZAP.
  std::string zap_domain;
  /// ZMQ_MAXMSGSIZE: a peer sending a larger message is disconnected. 0: no limit.
  std::uint64_t max_message_size = 0;
  /// ZMQ_SNDHWM: replies queued per peer before they are dropped. 0: libzmq's default.
  std::uint32_t send_queue = 0;
  /// Mode and group of the IPC socket files; 0 / -1: left as created.
  std::uint32_t ipc_mode = 0;
  long ipc_gid = -1;
  /// A second ROUTER that speaks CURVE as server at this TCP address (CURVE
  /// is per socket in libzmq, and unmodified hololinked clients cannot speak
  /// it). Its peers' identities are told apart from the plain socket's by a
  /// first byte the socket adds on receive and strips on send ('C' / 'P').
  std::string curve_address;
  std::string curve_secret_key; ///< Z85
  /// Publisher only: also bind this TCP address as CURVE server with
  /// curve_secret_key, on the same XPUB (libzmq copies a socket's security
  /// options into each listener when it binds, so the plain endpoints bound
  /// first stay plain; tests/daemon/events_test.cpp pins that). Its
  /// endpoint is reported as `curve+tcp://...`.
  std::string curve_event_address;
  /// Publisher only: try libzmq's manual last-value mode (publisher_socket);
  /// false, or a libzmq that refuses it, gives a plain XPUB_VERBOSER.
  bool manual_last_value = true;
};

/// A bound XPUB, normally in manual mode (ZMQ_XPUB_MANUAL_LAST_VALUE, zmq_listener.cpp):
/// receive() yields every subscription message (`\x01topic` / `\x00topic`),
/// one per subscriber and topic, also the unsubscriptions of a subscriber
/// that went away, so the owner can count subscribers per subscription.
/// The subscriber that sent the message receive() returned last is the
/// *current* one until the next receive() or send(): only it can be given
/// filters (a subscriber receives nothing the owner did not `filter` for it)
/// and a message of its own (`send_to_current`).
class publisher_socket {
public:
  virtual ~publisher_socket() = default;
  /// To every subscriber with a filter that is a prefix of frame 0.
  virtual void send(const wire::multipart& frames) = 0;
  virtual std::optional<wire::multipart> receive() = 0;
  /// The same, and who sent it: the ZAP handler's User-Id of the
  /// subscriber's connection (security/principal.hpp); empty when no ZAP ran
  /// and for the unsubscriptions of a subscriber that went away.
  virtual std::optional<wire::multipart> receive(std::string& user_id) {
    user_id.clear();
    return receive();
  }
  /// Adds (or removes) a prefix filter of the current subscriber; nothing
  /// when there is none (the message came from a subscriber that went away).
  virtual void filter(std::string_view prefix, bool add) = 0;
  /// To the current subscriber only, if one of its filters matches frame 0;
  /// false (nothing sent) when there is no current subscriber.
  virtual bool send_to_current(const wire::multipart& frames) = 0;
  /// False: libzmq keeps every subscriber's filters itself (what it was
  /// sent), filter() does nothing and send_to_current() always fails.
  virtual bool manual() const = 0;
  virtual void watch(transport::wake_callback wake) = 0;
};

/// A bound socket and the endpoints it actually listens on (TCP port 0
/// resolved to the port the kernel chose).
template <class Socket>
struct bound {
  std::unique_ptr<Socket> socket;
  std::vector<std::string> endpoints;
};

class listener_factory {
public:
  virtual ~listener_factory() = default;
  /// Binds a ROUTER at every address. IPC addresses whose socket file is
  /// live (another process accepts on it) fail with "address in use by
  /// another process"; stale files are removed first.
  virtual expected<bound<frontend_socket>, std::string>
  open_frontend(const std::string& routing_id, const std::vector<std::string>& addresses,
                const frontend_options& options) = 0;
  /// `options`: only zap_domain, ipc_mode, ipc_gid, manual_last_value and
  /// curve_event_address (with curve_secret_key) apply.
  virtual expected<bound<publisher_socket>, std::string>
  open_publisher(const std::vector<std::string>& addresses, const frontend_options& options) = 0;
};

} // namespace holobroker::broker
