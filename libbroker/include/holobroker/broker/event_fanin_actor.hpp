#pragma once

// The broker's event publisher: republishes the fleet's events on one XPUB
// with the upstream topic and frames (`<thing id>/<event name>`).
//
// Demand driven: every subscription a local subscriber makes (XPUB_VERBOSER
// reports each one, and each unsubscription, also when a subscriber goes
// away) is counted per subscription; the first one subscribes upstream (at
// the event subscriber of the server serving that Thing) to the topics it
// receives, the last unsubscription ends those upstream subscriptions
// (unless a topic is pinned by the configuration's `events:`).
//
// What a subscription receives (subscription_rule.hpp): subscription S gets
// an event of topic E iff E == S or E == S + "_change_event", so
// hololinked's observe_property (which subscribes `<thing>/<property>`) gets
// `<thing>/<property>_change_event` as on a direct connection, while
// `x/test_event` does not get `x/test_event_with_json_schema`. Residual case,
// which no XPUB design can close while frame 0 stays byte-identical: the XPUB
// filters by prefix per subscriber (and so does every SUB socket), so while
// another subscriber B receives a longer topic E that starts with S (say
// `x/test_event_with_json_schema`), subscriber A of S receives E too,
// exactly as it would on a direct connection.
//
// Every event received is kept as the last value of its topic (introspection
// `last_event`). A new subscriber of S gets, to itself alone and before any
// newer event, the newest kept event S receives, if the configuration asks
// for that Thing/event and the event arrived during the current upstream
// subscription (another subscriber or a pin kept it current; a value from an
// earlier subscription may be stale and is never sent). The XPUB runs in
// libzmq's manual last-value mode (listener.hpp): the fan-in sets each
// subscriber's filter itself right after reading its subscription, and the
// first send after that reaches only that subscriber. Residual case: if
// libzmq processes another subscriber's disconnect inside that very send (it
// then forgets which subscriber was current), the last value also reaches
// the other subscribers of S once.
//
// With a security policy, each subscription is decided for its subscriber
// (the connection's User-Id): a denied one gets no filter, only the filter
// of its denial (events::subscription_denied_prefix) and the denial, to it
// alone; it is audited. It still counts as demand (above) until it goes:
// libzmq reports a departed subscriber's topics without saying who it was,
// so counting granted subscriptions alone could not stay balanced. The
// prefix residual above applies across Things too, when a Thing id extends
// another Thing's topic.
//
// Subscription probes (events/event_subscriber.hpp): a subscription to
// `holobroker/.probe/<nonce>` is answered with one event on that topic once
// every upstream subscription requested before it is set on the upstream
// SUB socket; it is no demand and never goes upstream.

#include <memory>
#include <set>
#include <string>

#include <caf/typed_actor.hpp>

#include "holobroker/broker/atoms.hpp"
#include "holobroker/broker/fanin_summary.hpp"
#include "holobroker/broker/type_ids.hpp"
#include "holobroker/broker/listener.hpp"
#include "holobroker/events/event_subscriber.hpp"
#include "holobroker/security/authorizer.hpp"
#include "holobroker/wire/event.hpp"

namespace holobroker::broker {

using fanin_actor = caf::typed_actor<
  /// An event from upstream (the fan-in is the sink of the event subscribers).
  caf::reacts_to<event_atom, wire::event>,
  /// The XPUB has subscription messages to read.
  caf::reacts_to<readable_atom>,
  /// Thing id -> the subscriber of its server's event publisher.
  caf::reacts_to<put_atom, std::string, events::event_subscriber_actor>,
  /// Thing id, all events, event names: whose last value a new subscriber
  /// gets at once (`last_value:` of the configuration; none by default).
  caf::reacts_to<last_atom, std::string, bool, std::set<std::string>>,
  /// The Thing left the fleet: ends its upstream subscriptions.
  caf::reacts_to<delete_atom, std::string>,
  /// Pins thing/event: subscribed upstream whether or not anybody listens,
  /// so its last value is always known.
  caf::reacts_to<subscribe_atom, std::string, std::string>,
  /// The last event of thing/event; `unknown_message` if none was seen.
  caf::replies_to<get_atom, last_atom, std::string, std::string>::with<wire::event>,
  /// Topics with local subscribers, pinned topics and counters.
  caf::replies_to<get_atom, topics_atom>::with<fanin_summary>,
  /// Closes the XPUB (shutdown); events are still cached afterwards.
  caf::reacts_to<close_atom>>;

/// `publisher` may be null (events.ipc and events.tcp both off): then the
/// fan-in only keeps the last-value cache of pinned topics. `policy` (the
/// front end's, replaced on reload) decides every subscription; null: all
/// are granted.
fanin_actor spawn_event_fanin(caf::actor_system& sys, std::shared_ptr<publisher_socket> publisher,
                              std::shared_ptr<security::authorizer> policy = nullptr);

} // namespace holobroker::broker
