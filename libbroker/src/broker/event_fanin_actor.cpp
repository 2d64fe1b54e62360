#include "holobroker/broker/event_fanin_actor.hpp"

#include <chrono>
#include <map>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "holobroker/broker/subscription_rule.hpp"
#include "holobroker/client/error.hpp"
#include "holobroker/broker/error_reply.hpp"
#include "holobroker/wire/remote_exception.hpp"
#include "client/wake.hpp"

namespace holobroker::broker {

namespace {

/// Which events of a Thing a new subscriber gets the last value of.
struct last_value_policy {
  bool all = false;
  std::set<std::string> events;

  bool covers(const std::string& event) const { return all || events.count(event) > 0; }
};

struct cached_event {
  wire::event ev;
  std::uint64_t seq = 0; ///< order of arrival
};

/// A probe that waits for upstream subscriptions to be set first.
struct deferred_probe {
  std::string topic;
  std::set<std::uint64_t> waiting; ///< upstream subscribe requests in flight when it came
};

struct fanin_state {
  std::shared_ptr<publisher_socket> publisher;
  /// Decides each subscription (null or without a policy: all are granted).
  std::shared_ptr<security::authorizer> policy;
  client::wake_flag wake; ///< one `readable` in the mailbox at a time
  /// Thing id -> upstream source.
  std::map<std::string, events::event_subscriber_actor> sources;
  /// Subscription (as the local subscriber sent it) -> number of local
  /// subscriptions; what each receives: subscription_rule.hpp.
  std::map<std::string, std::size_t> demand;
  std::set<std::string> pinned;
  /// Topics subscribed upstream, as (thing, event).
  std::set<std::pair<std::string, std::string>> upstream;
  std::map<std::string, cached_event> last;
  /// Topics whose cached event arrived during the current upstream
  /// subscription: only those are current enough to hand to a late subscriber.
  std::set<std::string> fresh;
  std::map<std::string, last_value_policy> last_value; ///< by Thing id
  std::uint64_t seq = 0;
  std::uint64_t next_request = 0;
  std::set<std::uint64_t> upstream_requests; ///< subscribe requests not yet answered
  std::vector<deferred_probe> probes;
  /// Topic -> wall-clock time (Unix seconds) of its last event, for operators.
  std::map<std::string, double> last_at;
  std::uint64_t received = 0;
  std::uint64_t forwarded = 0;
  std::uint64_t last_values_sent = 0;
  std::uint64_t probes_answered = 0;
  std::uint64_t denied = 0;

  static inline const char* name = "holobroker.event-fanin";
};

using self_ptr = fanin_actor::stateful_pointer<fanin_state>;

/// The Thing a topic belongs to: the longest known Thing id followed by '/'.
std::optional<std::pair<std::string, std::string>> split_topic(const fanin_state& st,
                                                               const std::string& topic) {
  std::optional<std::pair<std::string, std::string>> best;
  for (const auto& [thing, source] : st.sources) {
    if (topic.size() > thing.size() + 1 && topic.compare(0, thing.size(), thing) == 0
        && topic[thing.size()] == '/'
        && (!best || thing.size() > best->first.size()))
      best.emplace(thing, topic.substr(thing.size() + 1));
  }
  return best;
}

/// Whether some local subscriber receives events of `topic`.
bool demanded(const fanin_state& st, const std::string& topic) {
  for (const auto& sub : subscriptions_receiving(topic))
    if (auto i = st.demand.find(sub); i != st.demand.end() && i->second > 0)
      return true;
  return false;
}

/// Whether `topic` must be subscribed upstream.
bool wanted(const fanin_state& st, const std::string& topic) {
  return demanded(st, topic) || st.pinned.count(topic) > 0;
}

void forget_freshness(fanin_state& st, const std::string& thing) {
  auto prefix = thing + "/";
  for (auto i = st.fresh.begin(); i != st.fresh.end();)
    i = i->compare(0, prefix.size(), prefix) == 0 ? st.fresh.erase(i) : std::next(i);
}

/// An event of the broker's own on `topic` (`<thing>/<name>`, the first
/// '/' splits), crafted for the publisher: a probe's answer, a denial.
wire::multipart own_event(const std::string& topic, std::string_view payload) {
  auto slash = topic.find('/');
  return wire::craft_event(wire::make_event("holobroker", topic.substr(0, slash),
                                            topic.substr(slash + 1),
                                            wire::shared_bytes::copy_of(payload)));
}

void answer_probe(self_ptr self, const std::string& topic) {
  auto& st = self->state;
  if (!st.publisher)
    return;
  // Broadcast is fine: only the prober has a filter for its nonce.
  st.publisher->send(own_event(topic, "true"));
  ++st.probes_answered;
  spdlog::debug("event fan-in: answered subscription probe {}", topic);
}

void upstream_request_done(self_ptr self, std::uint64_t id) {
  auto& st = self->state;
  st.upstream_requests.erase(id);
  std::vector<std::string> ready;
  for (auto i = st.probes.begin(); i != st.probes.end();) {
    i->waiting.erase(id);
    if (i->waiting.empty()) {
      ready.push_back(std::move(i->topic));
      i = st.probes.erase(i);
    } else {
      ++i;
    }
  }
  for (const auto& topic : ready)
    answer_probe(self, topic);
}

/// Brings the upstream subscription of `topic` in line with demand and pins.
void sync_upstream(self_ptr self, const std::string& topic) {
  auto& st = self->state;
  auto parts = split_topic(st, topic);
  if (!parts)
    return; // no such Thing (yet): subscribed when it joins
  auto key = *parts;
  bool has = st.upstream.count(key) > 0;
  bool want = wanted(st, topic);
  if (want == has)
    return;
  auto source = st.sources.at(key.first);
  auto sink = caf::actor_cast<events::event_sink_actor>(self);
  if (want) {
    st.upstream.insert(key);
    // Probes that come after this wait for its answer (the ZMQ subscription
    // is set on the upstream SUB socket).
    auto id = ++st.next_request;
    st.upstream_requests.insert(id);
    self->request(source, std::chrono::seconds{10}, subscribe_atom_v, key.first, key.second, sink)
      .then([self, id] { upstream_request_done(self, id); },
            [self, id, topic](const caf::error& err) {
              spdlog::warn("event fan-in: upstream subscription to {} failed: {}", topic,
                           self->system().render(err));
              upstream_request_done(self, id);
            });
    spdlog::debug("event fan-in: subscribed upstream to {}", topic);
  } else {
    st.upstream.erase(key);
    st.fresh.erase(topic);
    self->send(source, caf::unsubscribe_atom_v, key.first, key.second, sink);
    spdlog::debug("event fan-in: unsubscribed upstream from {}", topic);
  }
}

/// Sends the newest current cached event the new subscriber of `sub`
/// receives, to it alone. One message at most: libzmq restricts only the
/// first send after reading a subscription to its subscriber.
void send_last_value(self_ptr self, const std::string& sub) {
  auto& st = self->state;
  const cached_event* newest = nullptr;
  for (const auto& topic : topics_received_by(sub)) {
    auto c = st.last.find(topic);
    if (c == st.last.end() || st.fresh.count(topic) == 0)
      continue;
    auto parts = split_topic(st, topic);
    auto policy = parts ? st.last_value.find(parts->first) : st.last_value.end();
    if (policy == st.last_value.end() || !policy->second.covers(parts->second))
      continue;
    if (!newest || c->second.seq > newest->seq)
      newest = &c->second;
  }
  if (!newest)
    return;
  if (st.publisher->send_to_current(wire::craft_event(newest->ev))) {
    ++st.last_values_sent;
    spdlog::debug("event fan-in: sent the last value of {} to a new subscriber", newest->ev.topic);
  }
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

/// Whether the current subscriber (User-Id `user_id`) may subscribe `topic`
/// (a whole topic, `<thing>/<event>`; event names have no '/'). A denial is
/// logged and audited by the authorizer and told to that subscriber alone
/// (events::subscription_denied_prefix): the filter for the denial topic is
/// the only one it gets for this subscription.
bool granted(self_ptr self, const std::string& topic, const std::string& user_id) {
  auto& st = self->state;
  if (!st.policy)
    return true;
  auto slash = topic.rfind('/');
  std::string_view thing{topic.data(), slash};
  std::string_view event{topic.data() + slash + 1, topic.size() - slash - 1};
  auto v = st.policy->authorize({user_id, thing, "subscribeevent", event, {}, false});
  if (v.allowed)
    return true;
  ++st.denied;
  auto denial = std::string{events::subscription_denied_prefix} + topic;
  st.publisher->filter(denial, true);
  st.publisher->send_to_current(
    own_event(denial, wire::to_json(make_exception("PermissionError", std::move(v.message)))));
  return false;
}

void on_subscription(self_ptr self, const wire::multipart& frames, const std::string& user_id) {
  auto& st = self->state;
  if (frames.empty() || frames[0].empty())
    return;
  auto msg = frames[0].view();
  bool subscribe = msg[0] == '\x01';
  if (!subscribe && msg[0] != '\x00') {
    spdlog::warn("event fan-in: ignoring a message from a subscriber that is not a "
                 "subscription ({} bytes)", msg.size());
    return;
  }
  std::string topic{msg.substr(1)};
  // A subscriber listening for denials: only the fan-in gives filters there.
  if (starts_with(topic, events::subscription_denied_prefix))
    return;
  // Manual XPUB: the subscriber gets a filter only from us, and only now
  // (it is libzmq's current pipe until the next send).
  bool probe = topic.size() > events::subscription_probe_prefix.size()
               && starts_with(topic, events::subscription_probe_prefix);
  // Unsubscriptions need no decision: removing a filter a denied subscriber
  // never got does nothing.
  bool allowed = probe || !subscribe || !names_a_topic(topic) || granted(self, topic, user_id);
  if (probe || (names_a_topic(topic) && allowed))
    st.publisher->filter(topic, subscribe);
  if (probe) {
    if (!subscribe)
      return;
    if (st.upstream_requests.empty())
      answer_probe(self, topic);
    else
      st.probes.push_back(deferred_probe{topic, st.upstream_requests});
    return;
  }
  auto& count = st.demand[topic];
  if (subscribe) {
    ++count;
  } else if (count > 0) {
    --count;
  }
  if (count == 0)
    st.demand.erase(topic);
  spdlog::debug("event fan-in: {} {} ({} local subscriptions)",
                subscribe ? "subscribe" : "unsubscribe", topic, count);
  if (subscribe && allowed && names_a_topic(topic))
    send_last_value(self, topic);
  for (const auto& received : topics_received_by(topic))
    sync_upstream(self, received);
}

void drain_publisher(self_ptr self) {
  auto& st = self->state;
  if (!st.publisher)
    return;
  std::string user_id;
  while (auto frames = st.publisher->receive(user_id))
    on_subscription(self, *frames, user_id);
}

} // namespace

fanin_actor spawn_event_fanin(caf::actor_system& sys, std::shared_ptr<publisher_socket> publisher,
                              std::shared_ptr<security::authorizer> policy) {
  auto init = [](self_ptr self, std::shared_ptr<publisher_socket> pub,
                 std::shared_ptr<security::authorizer> rules) -> fanin_actor::behavior_type {
    self->state.publisher = std::move(pub);
    self->state.policy = std::move(rules);
    if (self->state.publisher) {
      self->state.publisher->watch(
        self->state.wake.callback_for(caf::actor_cast<caf::weak_actor_ptr>(self)));
    }
    return {
      [self](event_atom, wire::event& ev) {
        auto& st = self->state;
        ++st.received;
        if (st.publisher) {
          if (demanded(st, ev.topic)) {
            st.publisher->send(wire::craft_event(ev));
            ++st.forwarded;
            // A send may consume the edge of ZMQ_FD: look for subscriptions now.
            drain_publisher(self);
          }
        }
        st.last_at[ev.topic] = std::chrono::duration<double>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
        if (auto parts = split_topic(st, ev.topic); parts && st.upstream.count(*parts) > 0)
          st.fresh.insert(ev.topic);
        auto topic = ev.topic;
        st.last.insert_or_assign(std::move(topic), cached_event{std::move(ev), ++st.seq});
      },
      [self](readable_atom) {
        self->state.wake.clear(); // before reading: later wake-ups send anew
        drain_publisher(self);
      },
      [self](put_atom, const std::string& thing, events::event_subscriber_actor source) {
        auto& st = self->state;
        // A replaced source (changed Thing) starts without our subscriptions.
        for (auto i = st.upstream.begin(); i != st.upstream.end();)
          i = i->first == thing ? st.upstream.erase(i) : std::next(i);
        forget_freshness(st, thing);
        st.sources.insert_or_assign(thing, std::move(source));
        std::set<std::string> topics = st.pinned;
        for (const auto& [sub, n] : st.demand)
          for (auto& topic : topics_received_by(sub))
            topics.insert(std::move(topic));
        for (const auto& topic : topics)
          sync_upstream(self, topic);
      },
      [self](last_atom, const std::string& thing, bool all, std::set<std::string>& events) {
        self->state.last_value.insert_or_assign(thing, last_value_policy{all, std::move(events)});
      },
      [self](delete_atom, const std::string& thing) {
        auto& st = self->state;
        st.last_value.erase(thing);
        forget_freshness(st, thing);
        auto src = st.sources.find(thing);
        if (src == st.sources.end())
          return;
        auto sink = caf::actor_cast<events::event_sink_actor>(self);
        for (auto i = st.upstream.begin(); i != st.upstream.end();) {
          if (i->first == thing) {
            self->send(src->second, caf::unsubscribe_atom_v, i->first, i->second, sink);
            i = st.upstream.erase(i);
          } else {
            ++i;
          }
        }
        st.sources.erase(src);
      },
      [self](subscribe_atom, const std::string& thing, const std::string& event) {
        auto topic = wire::event_topic(thing, event);
        self->state.pinned.insert(topic);
        sync_upstream(self, topic);
      },
      [self](get_atom, last_atom, const std::string& thing,
             const std::string& event) -> caf::result<wire::event> {
        auto topic = wire::event_topic(thing, event);
        auto i = self->state.last.find(topic);
        if (i == self->state.last.end())
          return client::make_error(client::client_errc::unknown_message,
                                    "no event seen yet on " + topic);
        return i->second.ev;
      },
      [self](get_atom, topics_atom) {
        auto& st = self->state;
        fanin_summary out;
        for (const auto& [topic, n] : st.demand)
          out.subscribed.emplace(topic, n);
        // Per Thing: the latest of its topics (`<thing>/<event>`; event
        // names have no '/').
        for (const auto& [topic, at] : st.last_at) {
          auto thing = topic.substr(0, topic.rfind('/'));
          auto j = out.last_event_at.find(thing);
          if (j == out.last_event_at.end() || j->second < at)
            out.last_event_at[thing] = at;
        }
        out.pinned.assign(st.pinned.begin(), st.pinned.end());
        out.received = st.received;
        out.forwarded = st.forwarded;
        out.cached = st.last.size();
        out.last_values_sent = st.last_values_sent;
        out.probes_answered = st.probes_answered;
        out.subscriptions_denied = st.denied;
        out.last_value_supported = st.publisher && st.publisher->manual();
        return out;
      },
      [self](close_atom) { self->state.publisher.reset(); },
    };
  };
  return sys.spawn(init, std::move(publisher), std::move(policy));
}

} // namespace holobroker::broker
