#pragma once

// Which events a subscription receives through the broker (issue #9).
//
// hololinked 0.4 publishes `<thing id>/<event name>` (EventDispatcher:
// `<qualified id>/<descriptor name>`); an observable property's change event
// is the event descriptor `<property>_change_event`, so its topic is
// `<thing id>/<property>_change_event`. Its clients subscribe
// `<thing id>/<event name>` for an event (ObjectProxy.subscribe_event) and
// `<thing id>/<property>` for a property (observe_property: the consumed
// event's resource is the property, whose name has no suffix) and rely on
// ZeroMQ's prefix match to receive `<property>_change_event`.
//
// The broker keeps the intended half of that prefix match and drops the
// accidental one: a subscription S receives an event of topic E if and only if
//   E == S   or   E == S + "_change_event".
// So `x/test_event` never gets `x/test_event_with_json_schema`, `x/prop` gets
// `x/prop_change_event` but not `x/prop2_change_event`, and a subscription
// that is not a whole topic ("" or `x/`) gets nothing.

#include <string>
#include <string_view>
#include <vector>

namespace holobroker::broker {

/// The suffix of an observable property's change event.
inline constexpr std::string_view change_event_suffix = "_change_event";

/// Whether subscription `subscription` receives events of topic `topic`.
bool subscription_receives(std::string_view subscription, std::string_view topic);

/// The topics subscription `subscription` receives: itself and its change event.
std::vector<std::string> topics_received_by(std::string_view subscription);

/// The subscriptions that receive `topic`: itself and, for a change event,
/// the property's topic.
std::vector<std::string> subscriptions_receiving(std::string_view topic);

/// Whether `subscription` can receive any event at all: `<thing>/<name>` with
/// both parts non-empty. Other subscriptions get no XPUB filter.
bool names_a_topic(std::string_view subscription);

} // namespace holobroker::broker
