#pragma once

// The `security` section of the daemon's configuration (every key is
// documented in config/holobroker.example.yaml). Without the section the
// broker behaves as before: no ZAP, no policy, only the resource limits.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "holobroker/security/cidr.hpp"
#include "holobroker/security/policy.hpp"

namespace holobroker::config {

struct security_config {
  /// The section is present: the ZAP handler runs and authenticates every
  /// connection of the front end and the event publisher.
  bool enabled = false;
  /// Mode and group of the IPC socket files (group empty: the daemon's own).
  std::uint32_t ipc_mode = 0660;
  std::string ipc_group;
  /// TCP peers without CURVE: refused unless in `allow` (when non-empty),
  /// always refused when in `deny`.
  std::vector<security::cidr> tcp_allow;
  std::vector<security::cidr> tcp_deny;
  /// CURVE front end: `tcp://HOST:PORT` of its own ROUTER (CURVE is a
  /// per-socket choice in libzmq, and unmodified hololinked clients cannot
  /// speak it), the server's key pair file and the directory of authorized
  /// client public keys (`<principal name>.pub`).
  std::string curve_tcp;
  /// The event publisher's CURVE endpoint (`tcp://HOST:PORT`); empty: the
  /// port above curve_tcp's, as hololinked and the plain front end place
  /// their events (port 0: any free port), so that a CURVE client given
  /// the CURVE front end finds the events where it would look for them.
  std::string curve_event_tcp;
  std::string curve_server_key;
  std::string curve_client_keys;
  /// Present: what it does not allow is denied.
  std::optional<security::policy> policy;

  friend bool operator==(const security_config&, const security_config&) = default;
};

/// Resource limits of the front end against misbehaving clients (apply with
/// or without the `security` section).
struct limits_config {
  /// Larger messages make libzmq drop the peer's connection (ZMQ_MAXMSGSIZE).
  std::uint64_t max_message_size = 64ull << 20;
  /// Requests one client identity may have in flight; beyond it the client
  /// gets BlockingIOError, so one client cannot take a Thing's max_in_flight.
  std::uint32_t max_in_flight_per_client = 128;
  /// Requests per second one client identity may send; beyond it the
  /// client gets BlockingIOError (a oneway request is dropped). 0: no limit.
  std::uint32_t max_requests_per_second_per_client = 0;
  /// How many requests a client may send at once above its rate (the
  /// bucket's size); 0: one second's worth.
  std::uint32_t request_burst_per_client = 0;
  /// Replies queued to one client that does not read them (ZMQ_SNDHWM);
  /// beyond it its replies are dropped and counted, nobody else waits.
  std::uint32_t send_queue = 1000;

  friend bool operator==(const limits_config&, const limits_config&) = default;
};

} // namespace holobroker::config
