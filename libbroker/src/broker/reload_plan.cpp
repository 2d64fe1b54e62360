#include "holobroker/broker/reload_plan.hpp"

#include <fmt/format.h>

namespace holobroker::broker {

namespace {

/// Where `key` is in `source`, or where it would be when it was removed.
restart_key locate(const config::config_source& source, std::string key) {
  restart_key out;
  out.file = source.file;
  out.at = source.nearest(key);
  // With no file there is no position to give, and no file to have lost
  // the key from.
  out.removed = !source.file.empty() && out.at != key;
  if (const auto* mark = source.find(out.at)) {
    out.line = mark->line;
    out.column = mark->column;
  }
  out.key = std::move(key);
  return out;
}

} // namespace

std::string to_string(const restart_key& key) {
  std::string what;
  if (key.added && key.key == "security")
    // broker_node::reload applies an added policy at once (failing closed),
    // but who a client is comes from the ZAP handler a restart starts.
    what = "added; its policy applies now, but clients are identified (uid, address, CURVE "
           "key) only after a restart, so until then only rules for \"*\" match";
  else if (key.added)
    what = "added; it takes effect only after a restart";
  else if (key.removed)
    what = fmt::format("removed; the running {} stays until a restart",
                       key.key == "broker.federation" ? "federation"
                       : key.key == "security"        ? "security (authentication and policy)"
                                                      : "setting");
  else
    what = "changed; it takes effect only after a restart";
  if (key.file.empty())
    return key.key + ": " + what;
  return config::config_error{key.file, key.line, key.column, key.key, std::move(what)}
    .to_string();
}

reload_plan plan_reload(const config::broker_config& running, const config::broker_config& next) {
  reload_plan plan;
  for (const auto& thing : next.things) {
    const auto* old = running.find_thing(thing.thing_id);
    if (old == nullptr)
      plan.added.push_back(thing);
    else if (!(*old == thing))
      plan.changed.push_back(thing);
    else
      plan.unchanged.push_back(thing.thing_id);
  }
  for (const auto& thing : running.things)
    if (next.find_thing(thing.thing_id) == nullptr)
      plan.removed.push_back(thing.thing_id);
  auto check = [&](bool same, const char* key) {
    if (!same)
      plan.needs_restart.push_back(locate(next.source, key));
  };
  // A section switched on or off: the direction is known without a file.
  auto toggled = [&](bool was, bool is, const char* key) {
    if (was == is)
      return;
    auto k = locate(next.source, key);
    k.added = is;
    k.removed = was;
    plan.needs_restart.push_back(std::move(k));
  };
  check(running.id == next.id, "broker.id");
  check(running.temp_dir == next.temp_dir, "broker.temp_dir");
  check(running.frontend_ipc == next.frontend_ipc && running.frontend_tcp == next.frontend_tcp,
        "broker.frontend");
  check(running.events_ipc == next.events_ipc && running.events_tcp == next.events_tcp,
        "broker.events");
  check(running.middleman_port == next.middleman_port
          && running.middleman_host == next.middleman_host,
        "broker.middleman");
  check(running.http == next.http, "broker.http");
  // The policy, the TCP ranges and the client keys are reloaded
  // (broker_node::reload); the listeners and their socket options are made
  // at start.
  const auto& sa = running.security;
  const auto& sb = next.security;
  toggled(sa.enabled, sb.enabled, "security");
  if (sa.enabled && sb.enabled) {
    check(sa.ipc_mode == sb.ipc_mode, "security.ipc.mode");
    check(sa.ipc_group == sb.ipc_group, "security.ipc.group");
    check(sa.curve_tcp.empty() == sb.curve_tcp.empty(), "security.curve");
    if (!sa.curve_tcp.empty() && !sb.curve_tcp.empty()) {
      check(sa.curve_tcp == sb.curve_tcp, "security.curve.tcp");
      check(sa.curve_event_tcp == sb.curve_event_tcp, "security.curve.event_tcp");
      check(sa.curve_server_key == sb.curve_server_key, "security.curve.server_key");
    }
  }
  const auto& la = running.limits;
  const auto& lb = next.limits;
  check(la.max_message_size == lb.max_message_size, "limits.max_message_size");
  check(la.max_in_flight_per_client == lb.max_in_flight_per_client,
        "limits.max_in_flight_per_client");
  check(la.send_queue == lb.send_queue, "limits.send_queue");
  check(la.max_requests_per_second_per_client == lb.max_requests_per_second_per_client,
        "limits.max_requests_per_second_per_client");
  check(la.request_burst_per_client == lb.request_burst_per_client,
        "limits.request_burst_per_client");
  // broker.peers is applied by the reload (the federation actor); the rest
  // of the federation shapes the actor system (middleman, OpenSSL module)
  // or the published endpoint, so only a restart changes it.
  const auto& f = running.federation;
  const auto& g = next.federation;
  toggled(f.enabled, g.enabled, "broker.federation");
  if (f.enabled && g.enabled) {
    check(f.host == g.host && f.port == g.port, "broker.federation.listen");
    check(f.certificate == g.certificate && f.key == g.key && f.ca == g.ca,
          "broker.federation.tls");
    check(f.plain == g.plain, "broker.federation.plain");
    check(f.reconnect_min == g.reconnect_min && f.reconnect_max == g.reconnect_max,
          "broker.federation.reconnect");
    check(f.ping_interval == g.ping_interval, "broker.federation.ping_interval");
    check(f.deadline_margin == g.deadline_margin, "broker.federation.deadline_margin");
  }
  return plan;
}

std::string to_string(const reload_plan& plan) {
  std::string out;
  for (const auto& t : plan.added)
    out += fmt::format("+{} ", t.thing_id);
  for (const auto& id : plan.removed)
    out += fmt::format("-{} ", id);
  for (const auto& t : plan.changed)
    out += fmt::format("~{} ", t.thing_id);
  out += fmt::format("({} unchanged)", plan.unchanged.size());
  return out;
}

} // namespace holobroker::broker
