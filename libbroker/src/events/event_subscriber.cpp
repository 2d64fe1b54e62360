#include "holobroker/events/event_subscriber.hpp"

#include <algorithm>
#include <map>
#include <random>
#include <unordered_map>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "../client/wake.hpp"
#include "holobroker/client/error.hpp"
#include "holobroker/client/type_ids.hpp"
#include "holobroker/transport/transport.hpp"
#include "holobroker/wire/remote_exception.hpp"

namespace holobroker::events {

namespace {

using client::client_errc;
using client::make_error;
using client::readable_atom;

using client::deadline_atom;
using client::deadline_atom_v;

using event_subscriber_impl
  = event_subscriber_actor::extend<caf::reacts_to<readable_atom>,
                                   caf::reacts_to<deadline_atom, std::string>>;

/// A subscribe request waiting for the answer to its probe.
struct pending_probe {
  caf::response_promise rp;
  std::string topic;
  caf::actor_addr sink;
};

struct subscriber_state {
  static inline const char* name = "holobroker.events";

  event_subscriber_config cfg;
  std::unique_ptr<transport::event_transport> transport;
  client::wake_flag wake;
  caf::error failure;
  std::unordered_map<std::string, std::vector<event_sink_actor>> sinks; ///< by exact topic
  std::unordered_map<std::string, wire::event> last;                    ///< by exact topic
  std::uint64_t dropped = 0;
  std::map<std::string, pending_probe> probes; ///< by probe topic
  /// Subscriptions the broker denied (subscription_denied_prefix), by topic,
  /// while the topic is subscribed: every probe that follows it reports it.
  std::map<std::string, wire::remote_exception> denied;
  std::uint64_t probes_sent = 0;

  template <class... Ts>
  void log(spdlog::level::level_enum lvl, fmt::format_string<Ts...> fmt, Ts&&... xs) const {
    if (spdlog::should_log(lvl))
      spdlog::log(lvl, "[events server {} at {}] {}", cfg.server_id, cfg.address,
                  fmt::format(fmt, std::forward<Ts>(xs)...));
  }

  void remove_sink(const std::string& topic, const caf::actor_addr& sink) {
    auto i = sinks.find(topic);
    if (i == sinks.end())
      return;
    auto& v = i->second;
    v.erase(std::remove_if(v.begin(), v.end(),
                           [&](const event_sink_actor& s) { return s.address() == sink; }),
            v.end());
    if (v.empty()) {
      if (transport) {
        transport->unsubscribe(topic);
        if (cfg.probe)
          transport->unsubscribe(std::string{subscription_denied_prefix} + topic);
      }
      denied.erase(topic);
      log(spdlog::level::debug, "unsubscribed {}", topic);
      sinks.erase(i); // `topic` may be its key
    }
  }
};

using subscriber_self = event_subscriber_impl::stateful_pointer<subscriber_state>;

void drain(subscriber_self self) {
  auto& st = self->state;
  st.wake.clear();
  if (!st.transport)
    return;
  while (auto frames = st.transport->receive()) {
    auto ev = wire::parse_event(*frames);
    if (!ev) {
      ++st.dropped;
      st.log(spdlog::level::warn, "dropped a malformed event: {}", ev.error().to_string());
      continue;
    }
    if (auto p = st.probes.find(ev->topic); p != st.probes.end()) {
      auto pending = std::move(p->second);
      st.probes.erase(p);
      st.transport->unsubscribe(ev->topic);
      // The denial, if any, came on the same pipe before the probe's answer.
      if (auto d = st.denied.find(pending.topic); d != st.denied.end()) {
        auto ex = d->second;
        st.remove_sink(pending.topic, pending.sink);
        st.log(spdlog::level::warn, "subscription {} denied: {}", pending.topic, ex.message);
        auto what = fmt::format("subscription to {} at the event publisher of '{}' raised {}: {}",
                                pending.topic, st.cfg.server_id, ex.type, ex.message);
        pending.rp.deliver(make_error(client_errc::remote_exception, std::move(what), std::move(ex)));
        continue;
      }
      st.log(spdlog::level::debug, "subscription {} confirmed by probe {}", pending.topic,
             ev->topic);
      pending.rp.deliver(caf::unit);
      continue;
    }
    if (ev->topic.rfind(subscription_denied_prefix, 0) == 0) {
      auto topic = ev->topic.substr(subscription_denied_prefix.size());
      if (st.sinks.count(topic) == 0)
        continue; // left meanwhile
      auto ex = wire::parse_remote_exception(ev->payload.view());
      st.denied.insert_or_assign(
        topic, ex ? std::move(*ex)
                  : wire::remote_exception{"the broker denied the subscription", "PermissionError",
                                           {}, std::nullopt});
      continue;
    }
    // ZeroMQ matches subscriptions by prefix; only exact topics count.
    auto i = st.sinks.find(ev->topic);
    if (i == st.sinks.end()) {
      ++st.dropped;
      st.log(spdlog::level::trace, "dropped event {} (prefix match only)", ev->topic);
      continue;
    }
    st.last.insert_or_assign(ev->topic, *ev);
    for (auto& sink : i->second)
      self->send(sink, client::event_atom_v, *ev);
  }
}

event_subscriber_impl::behavior_type
subscriber_actor(subscriber_self self, event_subscriber_config cfg,
                 std::shared_ptr<transport::transport_factory> factory) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  auto opened = factory ? factory->open_events(st.cfg.address)
                        : unexpected<std::string>{"no transport factory given"};
  if (opened) {
    st.transport = std::move(*opened);
    st.transport->watch(st.wake.callback_for(caf::actor_cast<caf::weak_actor_ptr>(self)));
  } else {
    st.failure = make_error(client_errc::connection, "cannot subscribe to events of server '"
                                                       + st.cfg.server_id + "' at '"
                                                       + st.cfg.address + "': "
                                                       + opened.error());
    st.log(spdlog::level::err, "{}", opened.error());
  }
  self->set_down_handler([self](const caf::down_msg& dm) {
    std::vector<std::string> topics;
    for (auto& [topic, sinks] : self->state.sinks)
      topics.push_back(topic);
    for (auto& topic : topics)
      self->state.remove_sink(topic, dm.source);
  });
  return {
    [self](subscribe_atom, const std::string& thing, const std::string& event,
           const event_sink_actor& sink) -> caf::result<void> {
      auto& st = self->state;
      if (!st.transport)
        return st.failure;
      if (!sink)
        return make_error(client_errc::bad_request, "subscribe without a sink actor");
      auto topic = wire::event_topic(thing, event);
      auto& v = st.sinks[topic];
      if (v.empty()) {
        // A broker tells a denied subscription on its own topic, before the
        // probe's answer; the SUB socket drops it without this filter.
        if (st.cfg.probe)
          st.transport->subscribe(std::string{subscription_denied_prefix} + topic);
        st.transport->subscribe(topic);
        st.log(spdlog::level::debug, "subscribed {}", topic);
      }
      if (std::find(v.begin(), v.end(), sink) == v.end()) {
        v.push_back(sink);
        self->monitor(sink);
      }
      if (!st.cfg.probe) {
        drain(self); // setsockopt may have consumed the ZMQ_FD edge
        return caf::unit;
      }
      // The probe goes out on the same pipe after the subscription, so its
      // answer proves the broker has read (and acted on) the subscription.
      static thread_local std::mt19937_64 rng{std::random_device{}()};
      auto probe = std::string{subscription_probe_prefix} + fmt::format("{:016x}-{}", rng(), ++st.probes_sent);
      st.transport->subscribe(probe);
      auto rp = self->make_response_promise();
      st.probes.emplace(probe, pending_probe{rp, topic, sink.address()});
      self->delayed_send(self, st.cfg.probe_timeout, deadline_atom_v, probe);
      drain(self);
      return rp;
    },
    [self](deadline_atom, const std::string& probe) {
      auto& st = self->state;
      auto p = st.probes.find(probe);
      if (p == st.probes.end())
        return; // answered in time
      auto pending = std::move(p->second);
      st.probes.erase(p);
      if (st.transport)
        st.transport->unsubscribe(probe);
      st.remove_sink(pending.topic, pending.sink);
      auto msg = fmt::format("no answer to the subscription probe for {} from the event "
                             "publisher of '{}' at '{}' within {} ms (a holobroker answers once "
                             "its upstream subscription is set; a plain hololinked server never "
                             "answers: subscribe without a probe)",
                             pending.topic, st.cfg.server_id, st.cfg.address,
                             std::chrono::duration_cast<std::chrono::milliseconds>(
                               st.cfg.probe_timeout).count());
      st.log(spdlog::level::warn, "{}", msg);
      pending.rp.deliver(make_error(client_errc::timeout, msg));
    },
    [self](unsubscribe_atom, const std::string& thing, const std::string& event,
           const event_sink_actor& sink) {
      self->state.remove_sink(wire::event_topic(thing, event), sink.address());
      drain(self);
    },
    [self](get_atom, last_atom, const std::string& thing,
           const std::string& event) -> caf::result<wire::event> {
      auto& st = self->state;
      auto i = st.last.find(wire::event_topic(thing, event));
      if (i == st.last.end())
        return make_error(client_errc::unknown_message,
                          "no event " + wire::event_topic(thing, event) + " seen yet");
      return i->second;
    },
    [self](readable_atom) { drain(self); },
  };
}

} // namespace

event_subscriber_actor
spawn_event_subscriber(caf::actor_system& sys, event_subscriber_config cfg,
                       std::shared_ptr<transport::transport_factory> transports) {
  return sys.spawn(subscriber_actor, std::move(cfg), std::move(transports));
}

} // namespace holobroker::events
