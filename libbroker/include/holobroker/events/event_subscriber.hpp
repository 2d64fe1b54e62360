#pragma once

// Subscription to one server's event publisher (hololinked's EventConsumer,
// done as an actor). Topics are `<thing id>/<event name>` and are matched
// exactly: ZeroMQ's prefix matching never leaks `x/test_event_with_schema`
// into a subscription of `x/test_event`.

#include <memory>
#include <string>
#include <string_view>

#include <chrono>

#include <caf/timespan.hpp>
#include <caf/typed_actor.hpp>

#include "holobroker/client/atoms.hpp"
#include "holobroker/wire/event.hpp"

namespace holobroker::transport {
class transport_factory;
} // namespace holobroker::transport

namespace holobroker::events {

using client::event_atom;
using client::event_atom_v;
using client::get_atom;
using client::get_atom_v;
using client::last_atom;
using client::last_atom_v;
using client::subscribe_atom;
using client::subscribe_atom_v;
using client::unsubscribe_atom;
using client::unsubscribe_atom_v;

/// Subscription probes (issue #13): a holobroker subscriber that must know
/// its subscription is in effect at a broker also subscribes
/// `<prefix><nonce>`; the broker, on reading that subscription on its XPUB
/// (after the subscriber's earlier subscriptions, same pipe, in order, and
/// once its own upstream subscriptions for them are set), publishes one event
/// on exactly that topic. Only that subscriber has a filter for it, and no
/// hololinked client subscribes a topic it starts with (`.probe` cannot be a
/// Python attribute name), so real hololinked clients never see a probe.
inline constexpr std::string_view subscription_probe_prefix = "holobroker/.probe/";

/// Denied subscriptions: a broker with a security policy that refuses
/// subscription S of a subscriber sends that subscriber alone (and no one
/// else) one event on `<prefix>S` whose payload is the PermissionError
/// (wire::remote_exception JSON). A subscriber that wants to know subscribes
/// this prefix first; any other (every hololinked client) drops it in its
/// own SUB socket and simply receives nothing for S. Subscriptions of topics
/// that start with the prefix are the subscriber's own business and never
/// reach upstream.
inline constexpr std::string_view subscription_denied_prefix = "holobroker/.denied/";

/// Whoever receives events: `(event_atom, wire::event)` per event.
using event_sink_actor = caf::typed_actor<caf::reacts_to<event_atom, wire::event>>;

using event_subscriber_actor = caf::typed_actor<
  /// Delivers events of thing/event to the sink until unsubscribed or the sink
  /// terminates. Answers (empty) once the ZMQ subscription is set, or, with
  /// `probe`, once the broker answered the probe that follows it (every
  /// event the broker publishes after that reaches the sink); `timeout`
  /// error (and no subscription) if no probe answer comes in `probe_timeout`.
  caf::reacts_to<subscribe_atom, std::string, std::string, event_sink_actor>,
  caf::reacts_to<unsubscribe_atom, std::string, std::string, event_sink_actor>,
  /// The last event seen on thing/event; `unknown_message` if none yet.
  caf::replies_to<get_atom, last_atom, std::string, std::string>::with<wire::event>>;

struct event_subscriber_config {
  std::string server_id;
  /// The publisher's address (wire::server_endpoints::event_address).
  std::string address;
  /// Confirm each subscription with a probe: only a holobroker answers one.
  /// Without (a plain hololinked server has no such thing), a subscription
  /// is reported once set on the SUB socket, and events the server publishes
  /// before the subscription reached it are lost (PUB/SUB slow joiner).
  bool probe = false;
  caf::timespan probe_timeout = std::chrono::seconds{5};
};

event_subscriber_actor
spawn_event_subscriber(caf::actor_system& sys, event_subscriber_config cfg,
                       std::shared_ptr<transport::transport_factory> transports);

} // namespace holobroker::events
