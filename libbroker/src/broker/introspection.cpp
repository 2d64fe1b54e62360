#include "holobroker/broker/introspection.hpp"

namespace holobroker::broker {

using nlohmann::json;

std::string connection_state(const thing_info& t) {
  if (!t.conflict.empty())
    return "conflict";
  if (!t.origin.empty())
    return t.peer_state.empty() ? "connecting" : t.peer_state;
  if (!t.connection || !t.connection->handshake_done)
    return "connecting";
  return t.connection->connected ? "connected" : "disconnected";
}

json to_json(const client::client_status& cs) {
  return {{"in_flight", cs.in_flight},
          {"waiting_to_send", cs.waiting_to_send},
          {"cached_replies", cs.cached_replies},
          {"requests_sent", cs.requests_sent},
          {"replies_matched", cs.replies_matched},
          {"replies_dropped", cs.replies_dropped},
          {"cache_evictions", cs.cache_evictions},
          {"deadline_expired", cs.deadline_expired},
          {"busy_rejected", cs.busy_rejected},
          {"disconnects", cs.disconnects},
          {"handshake_attempts", cs.handshake_attempts}};
}

json to_json(const fanin_summary& ev) {
  json subscribed = json::object();
  for (const auto& [topic, n] : ev.subscribed)
    subscribed[topic] = n;
  json last_at = json::object();
  for (const auto& [thing, at] : ev.last_event_at)
    last_at[thing] = at;
  return {{"subscribed", std::move(subscribed)},
          {"last_event_at", std::move(last_at)},
          {"pinned", ev.pinned},
          {"received", ev.received},
          {"forwarded", ev.forwarded},
          {"cached", ev.cached},
          {"last_values_sent", ev.last_values_sent},
          {"probes_answered", ev.probes_answered},
          {"subscriptions_denied", ev.subscriptions_denied},
          {"last_value_supported", ev.last_value_supported}};
}

namespace {

/// Where the Thing lives: "local", or the peer broker and its link.
void add_location(json& entry, const thing_info& t) {
  entry["origin"] = t.origin.empty() ? std::string{"local"} : t.origin;
  if (!t.conflict.empty())
    entry["conflict"] = t.conflict;
  if (!t.origin.empty() && t.conflict.empty())
    entry["peer"] = {{"address", t.peer_address},
                     {"state", t.peer_state},
                     {"rtt_ms", t.peer_rtt_ms < 0 ? json(nullptr) : json(t.peer_rtt_ms)}};
}

} // namespace

json things_payload(const std::vector<thing_info>& things) {
  json out = json::array();
  for (const auto& t : things) {
    json entry = {{"id", t.id},
                  {"server_id", t.server_id},
                  {"address", t.address},
                  {"event_address", t.event_address},
                  {"client_id", t.client_id},
                  {"state", connection_state(t)}};
    add_location(entry, t);
    out.push_back(std::move(entry));
  }
  return out;
}

json status_payload(const broker_summary& b, const std::vector<thing_info>& fleet_things,
                    const std::map<std::string, thing_stats>& stats, const fanin_summary& events,
                    const std::vector<peer_info>& peer_list) {
  json things = json::array();
  for (const auto& t : fleet_things) {
    auto i = stats.find(t.id);
    json entry = i != stats.end() ? i->second.to_json() : thing_stats{}.to_json();
    entry["id"] = t.id;
    entry["server_id"] = t.server_id;
    entry["address"] = t.address;
    entry["state"] = connection_state(t);
    entry["last_event_at"] = nullptr;
    if (auto e = events.last_event_at.find(t.id); e != events.last_event_at.end())
      entry["last_event_at"] = e->second;
    entry["connection"] = t.connection ? to_json(*t.connection) : json(nullptr);
    add_location(entry, t);
    things.push_back(std::move(entry));
  }
  // Peers on their own: a peer that is down or serves no Thing appears in no
  // Thing's entry, yet an operator needs to see it is configured and why it
  // is not offering anything.
  json peers = json::array();
  for (const auto& p : peer_list)
    peers.push_back({{"address", p.address},
                     {"broker_id", p.broker_id.empty() ? json(nullptr) : json(p.broker_id)},
                     {"state", p.state},
                     {"rtt_ms", p.rtt_ms < 0 ? json(nullptr) : json(p.rtt_ms)},
                     {"last_error", p.last_error},
                     {"connects", p.connects},
                     {"things", p.things}});
  return {{"broker",
           {{"id", b.id},
            {"uptime_s", b.uptime_s},
            {"draining", b.draining},
            {"in_flight", b.in_flight},
            {"handshakes", b.handshakes},
            {"dropped", b.dropped},
            {"invalid", b.invalid},
            {"unknown_thing", b.unknown_thing},
            {"things_counted", b.things_counted},
            {"clients", b.clients},
            {"reloads", b.reloads},
            {"events", to_json(events)}}},
          {"things", std::move(things)},
          {"peers", std::move(peers)}};
}

expected<std::pair<std::string, std::string>, std::string>
parse_last_event_kwargs(std::string_view payload) {
  auto kwargs = json::parse(payload, nullptr, false);
  if (kwargs.is_discarded() || !kwargs.is_object())
    return unexpected<std::string>{"last_event takes keyword arguments {\"thing\": ..., "
                                   "\"event\": ...}"};
  for (const char* key : {"thing", "event"}) {
    auto i = kwargs.find(key);
    if (i == kwargs.end() || !i->is_string() || i->get<std::string>().empty())
      return unexpected<std::string>{std::string{"last_event needs the string argument \""}
                                     + key + "\""};
  }
  return std::make_pair(kwargs["thing"].get<std::string>(), kwargs["event"].get<std::string>());
}

json last_event_payload(const wire::event& ev) {
  auto payload = json::parse(ev.payload.view(), nullptr, false);
  if (payload.is_discarded())
    payload = ev.payload.to_string(); // not JSON (e.g. msgpack): hand it on as text
  return {{"topic", ev.topic},
          {"message_id", ev.header.message_id},
          {"sender_id", ev.header.sender_id},
          {"payload", std::move(payload)},
          {"preserialized_size", ev.preserialized.size()}};
}

} // namespace holobroker::broker
