#pragma once

// Payloads of the broker's own actions (requests whose thingID is the
// broker id), built from the structs the fleet, the front end and the event
// fan-in report: JSON exists only here, at the wire edge. Shapes:
//   ping       -> null
//   things     -> [{"id","server_id","address","event_address","client_id",
//                   "state":"connected"|"connecting"|"disconnected"|"conflict",
//                   "origin":"local"|<peer broker id>,
//                   "peer":{"address","state","rtt_ms"} (a peer's Thing only),
//                   "conflict":"<who claims it>" (a conflict only)}]   (sorted by id)
//   status     -> {"broker":{"id","uptime_s","draining","in_flight","handshakes",
//                            "dropped","invalid","unknown_thing","things_counted",
//                            "clients","reloads",
//                            "events":{fan-in counters}},
//                  "things":[{"id","server_id","address","state",
//                             "requests","oneway","replies","exceptions","timeouts",
//                             "errors","in_flight",
//                             "latency_ms":{"p50","p90","p99","samples"},
//                             "latency_histogram":{"le_s","cumulative","count","sum_s"},
//                             "last_event_at":<Unix seconds>|null,
//                             "connection":{client counters}|null,
//                             "origin", "peer", "conflict" as in `things`}],
//                  "peers":[{"address","broker_id","state","rtt_ms","last_error",
//                            "connects","things"}]}  (every configured peer broker,
//                                                     also one with no Things; [] without
//                                                     federation)
//   last_event kwargs {"thing":T,"event":E}
//              -> {"topic","message_id","sender_id","payload":<event payload JSON>,
//                  "preserialized_size"}

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "holobroker/broker/fanin_summary.hpp"
#include "holobroker/broker/peer_info.hpp"
#include "holobroker/broker/request_stats.hpp"
#include "holobroker/broker/thing_info.hpp"
#include "holobroker/client/client_status.hpp"
#include "holobroker/expected.hpp"
#include "holobroker/wire/event.hpp"

namespace holobroker::broker {

/// "connected", "connecting" (handshake not done yet) or "disconnected".
std::string connection_state(const thing_info& thing);

/// Every counter of a connection, by its field name.
nlohmann::json to_json(const client::client_status& status);

/// The fan-in's counters: {"subscribed":{topic:n},"pinned":[...],"received",
/// "forwarded","cached"}.
nlohmann::json to_json(const fanin_summary& events);

/// The `things` payload.
nlohmann::json things_payload(const std::vector<thing_info>& things);

struct broker_summary {
  std::string id;
  double uptime_s = 0;
  bool draining = false;
  std::uint64_t in_flight = 0;
  std::uint64_t handshakes = 0;
  std::uint64_t dropped = 0;
  std::uint64_t invalid = 0;
  std::uint64_t unknown_thing = 0;  ///< requests for Things not in the directory
  std::uint64_t things_counted = 0; ///< Things with request counters (bounded by the fleet)
  std::uint64_t clients = 0; ///< client identities seen in the last few minutes
  std::uint64_t reloads = 0;
};

/// The `status` payload.
nlohmann::json status_payload(const broker_summary& broker,
                              const std::vector<thing_info>& things,
                              const std::map<std::string, thing_stats>& stats,
                              const fanin_summary& events,
                              const std::vector<peer_info>& peers = {});

/// Reads `{"thing": ..., "event": ...}`; the error names the missing key.
expected<std::pair<std::string, std::string>, std::string>
parse_last_event_kwargs(std::string_view payload);

nlohmann::json last_event_payload(const wire::event& ev);

} // namespace holobroker::broker
