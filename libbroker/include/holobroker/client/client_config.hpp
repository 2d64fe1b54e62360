#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

#include <caf/timespan.hpp>

namespace holobroker::client {

/// Per-Thing behaviour of a connection. One connection may serve several
/// Things of its server (the daemon shares one per server, as hololinked's
/// own client pool does); what differs between them lives here.
struct thing_policy {
  /// On disconnect, keep in-flight readproperty requests and send them once
  /// more after the reconnect instead of failing them with `disconnected`.
  bool retry_reads_after_reconnect = false;
  /// Requests of this Thing in flight beyond which its callers get `busy`,
  /// so one Thing cannot take the whole connection; 0: only the
  /// connection's `max_in_flight` applies.
  std::size_t max_in_flight = 0;
  /// When set, this Thing's default deadline and deadline margin replace
  /// the connection's (see client_config).
  bool own_deadlines = false;
  caf::timespan default_deadline{};
  caf::timespan deadline_margin{};

  friend bool operator==(const thing_policy&, const thing_policy&) = default;
};

/// One connection: one client identity talking to one server.
struct client_config {
  /// Routing id of our ROUTER socket; unique per server. Empty: generated
  /// as `<server id>|holobroker|<8 hex>`.
  std::string client_id;
  std::string server_id;
  /// Resolved request address: ipc://PATH, tcp://HOST:PORT or inproc://ID
  /// (see wire/address.hpp, resolve_endpoints, for "IPC" etc.).
  std::string address;

  /// Give up handshaking after this long (`connection` error).
  caf::timespan handshake_timeout = std::chrono::seconds{60};
  /// Resend HANDSHAKE (new message id) when a sent one is not answered in time.
  caf::timespan handshake_resend_after = std::chrono::milliseconds{500};
  /// First retry delay after an unroutable HANDSHAKE; doubles up to the cap.
  caf::timespan handshake_retry_min = std::chrono::milliseconds{1};
  caf::timespan handshake_retry_max = std::chrono::milliseconds{100};

  /// Added to invokation + execution timeout for the default deadline.
  caf::timespan deadline_margin = std::chrono::seconds{2};
  /// Deadline when the request arms no server-side timeout.
  caf::timespan default_deadline = std::chrono::seconds{60};

  /// A ping (HANDSHAKE round trip) fails with `timeout` after this long.
  caf::timespan ping_timeout = std::chrono::seconds{5};

  /// Requests in flight (sent or waiting to be sent) beyond which callers get `busy`.
  std::size_t max_in_flight = 1024;
  /// Replies kept for receive_response (send_request split); oldest evicted first.
  std::size_t reply_cache_capacity = 1024;

  /// While disconnected: true = new requests wait for the reconnect (up to
  /// their deadline); false = they fail at once with `disconnected`.
  bool wait_for_reconnect = true;

  /// Policies by Thing id; Things not listed get `default_thing_policy`.
  std::map<std::string, thing_policy> thing_policies;
  thing_policy default_thing_policy;

  const thing_policy& policy_for(const std::string& thing_id) const {
    auto i = thing_policies.find(thing_id);
    return i == thing_policies.end() ? default_thing_policy : i->second;
  }
};

} // namespace holobroker::client
