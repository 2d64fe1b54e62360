#pragma once

// The ZAP handler (ZeroMQ RFC 27, inproc://zeromq.zap.01): libzmq asks it
// about every connection to a socket with a ZAP domain, before the first
// message. It decides who the peer is and whether it may connect at all:
//   IPC (NULL)    the peer's uid/gid, which libzmq 4.3.4 puts into the ZAP
//                 address as `localhost:<uid>:<gid>:<pid>` (SO_PEERCRED);
//                 supplementary groups from the user database
//   TCP (NULL)    the peer's address against security.tcp.allow / deny
//   CURVE         the client's public key against security.curve.client_keys
// and, when a policy is configured, refuses principals it never mentions
// (and, on the event publisher, those that may subscribe to nothing; each
// subscription is then decided by the event fan-in, which sets every
// subscriber's filters itself. Only an XPUB that libzmq would not put in
// manual mode cannot filter per subscriber: there, principals that may not
// subscribe to every Thing are refused). An accepted connection gets the
// principal as User-Id (principal.hpp), which every message then carries to
// the front end; the per-request decision is the front end's. Every refusal
// is logged and audited with the peer's address.
//
// One thread for the whole broker, blocked in zmq_poll (no busy polling).
// It must be bound before the sockets it guards and live until they are
// closed: libzmq 4.3.4 (without the draft ZMQ_ZAP_ENFORCE_DOMAIN) lets
// connections through when no handler is bound; the front end then still
// denies them as anonymous under a policy.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "holobroker/expected.hpp"
#include "holobroker/security/cidr.hpp"
#include "holobroker/security/policy.hpp"
#include "holobroker/security/principal.hpp"

namespace zmq {
class context_t;
} // namespace zmq

namespace holobroker::security {

/// ZAP domains of the broker's sockets.
inline constexpr const char* frontend_domain = "holobroker.frontend";
inline constexpr const char* events_domain = "holobroker.events";

struct zap_settings {
  std::vector<cidr> tcp_allow; ///< empty: every address not denied
  std::vector<cidr> tcp_deny;
  std::map<std::string, std::string> curve_clients; ///< Z85 public key -> name
  std::optional<policy> rules;
  std::vector<std::string> things; ///< the fleet, for the event publisher check
  /// The event publisher decides each subscription (a manual XPUB, see
  /// event_fanin_actor.hpp); false: it cannot, and only principals that may
  /// subscribe to every Thing of `things` may connect to it.
  bool events_filtered = false;
};

struct zap_request {
  std::string domain;
  std::string address;
  std::string mechanism;             ///< NULL, PLAIN, CURVE
  std::string credentials;           ///< CURVE: the 32 raw bytes of the public key
};

struct zap_verdict {
  bool accepted = false;
  principal who;
  std::string reason; ///< why refused, for the log
};

/// The decision, without sockets (the handler thread applies it).
zap_verdict decide(const zap_settings& s, const zap_request& r);

/// The peer's supplementary groups from the user database (empty when the
/// uid has no entry).
std::vector<std::uint32_t> supplementary_groups(std::uint32_t uid, std::uint32_t gid);

class zap_handler {
public:
  /// Binds inproc://zeromq.zap.01 in `context` and starts the thread.
  static expected<std::unique_ptr<zap_handler>, std::string>
  start(std::shared_ptr<zmq::context_t> context, zap_settings settings);

  ~zap_handler();
  zap_handler(const zap_handler&) = delete;
  zap_handler& operator=(const zap_handler&) = delete;

  /// Replaces the settings for the next connections (SIGHUP).
  void update(zap_settings settings);

  std::uint64_t accepted() const noexcept { return accepted_.load(); }
  std::uint64_t refused() const noexcept { return refused_.load(); }

private:
  zap_handler() = default;
  void run();

  struct sockets;
  std::shared_ptr<zmq::context_t> context_;
  std::unique_ptr<sockets> sockets_;
  std::string control_;
  std::mutex mutex_;
  std::shared_ptr<const zap_settings> settings_;
  std::atomic<std::uint64_t> accepted_{0};
  std::atomic<std::uint64_t> refused_{0};
  std::thread thread_;
};

} // namespace holobroker::security
