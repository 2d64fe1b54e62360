#include "holobroker/broker/introspection.hpp"

namespace holobroker::broker {

using nlohmann::json;

std::string connection_state(const json& t) {
  if (t.value("connected", false) && t.value("handshake_done", false))
    return "connected";
  if (!t.value("handshake_done", false))
    return "connecting";
  return "disconnected";
}

json things_payload(const json& fleet_things) {
  json out = json::array();
  for (const auto& t : fleet_things)
    out.push_back({{"id", t.value("id", "")},
                   {"server_id", t.value("server_id", "")},
                   {"address", t.value("address", "")},
                   {"event_address", t.value("event_address", "")},
                   {"client_id", t.value("client_id", "")},
                   {"state", connection_state(t)}});
  return out;
}

json status_payload(const broker_summary& b, const json& fleet_things,
                    const std::map<std::string, thing_stats>& stats, const json& events) {
  json things = json::array();
  for (const auto& t : fleet_things) {
    auto id = t.value("id", "");
    auto i = stats.find(id);
    json entry = i != stats.end() ? i->second.to_json() : thing_stats{}.to_json();
    entry["id"] = id;
    entry["server_id"] = t.value("server_id", "");
    entry["address"] = t.value("address", "");
    entry["state"] = connection_state(t);
    entry["last_event_at"] = nullptr;
    if (events.is_object() && events.contains("last_event_at")
        && events["last_event_at"].contains(id))
      entry["last_event_at"] = events["last_event_at"][id];
    entry["connection"] = t.contains("connection") ? t["connection"] : json(nullptr);
    things.push_back(std::move(entry));
  }
  return {{"broker",
           {{"id", b.id},
            {"uptime_s", b.uptime_s},
            {"draining", b.draining},
            {"in_flight", b.in_flight},
            {"handshakes", b.handshakes},
            {"dropped", b.dropped},
            {"invalid", b.invalid},
            {"clients", b.clients},
            {"reloads", b.reloads},
            {"events", events}}},
          {"things", std::move(things)}};
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
