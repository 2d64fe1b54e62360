#pragma once

// Internal to the front end (frontend_actor.hpp is its public face): the
// messages it only sends itself, its state, and the entry points of each of
// its jobs, one file each:
//   frontend_actor.cpp         spawning, the behaviour (which job handles what)
//   frontend_intake.cpp        the socket: reading, hololinked's strictness, replies
//   frontend_forwarding.cpp    the table of requests in flight, forwarding to Things
//   frontend_lanes.hpp/.cpp    the lane (CAF priority) each request travels on to its Thing
//   frontend_remote.cpp        requests sent straight to a peer broker's Thing: a lost link
//   frontend_introspection.cpp the broker's own actions (ping, things, status, last_event)
//   frontend_drain.cpp         shutting down without losing a request
//   frontend_stats.hpp/.cpp    the counters of the status document
//   frontend_directory.hpp     which directory snapshot routes, and who may replace it

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "broker/frontend_directory.hpp"
#include "broker/frontend_lanes.hpp"
#include "broker/frontend_stats.hpp"
#include "broker/log_throttle.hpp"
#include "client/wake.hpp"
#include "holobroker/broker/frontend_actor.hpp"
#include "broker/frontend_guard.hpp"
#include "holobroker/broker/request_stats.hpp"
#include "holobroker/wire/request.hpp"
#include "holobroker/wire/response.hpp"

namespace holobroker::broker::frontend {

using frontend_impl = frontend_actor::extend<
  /// The socket may have something to read (coalesced wake-up; the front
  /// end also sends it to itself, ZMQ_FD being edge-triggered).
  caf::reacts_to<readable_atom>,
  /// The drain's grace period is over.
  caf::reacts_to<drain_atom, close_atom>,
  /// The earliest deadline of a request sent across may have passed
  /// (frontend_remote.cpp).
  caf::reacts_to<client::deadline_atom>>;

using clock_type = std::chrono::steady_clock;

/// A request between intake and its one answer.
struct pending_request {
  wire::shared_bytes identity;
  wire::request_header header;
  clock_type::time_point start;
  bool counted = false; ///< in the Thing's stats (not an introspection request)
  bool thing_description = false;
  std::optional<security::audit_record> audit; ///< a write or invoke: audited when it ends
};

/// The requests sent straight to a peer broker's client actor and not
/// answered yet (frontend_remote.cpp), by the CAF id of their response.
struct across_table {
  struct entry {
    caf::actor_addr to;
    caf::actor_clock::time_point deadline;
  };
  std::unordered_map<std::uint64_t, entry> requests;
  /// The peer client actors monitored (each once).
  std::set<caf::actor_addr> monitored;
  /// The one deadline timer: set for the earliest deadline when none is
  /// set or a new deadline comes before it.
  bool timer_armed = false;
  caf::actor_clock::time_point timer_at;
};

struct drain_progress {
  bool active = false;
  bool done = false;
  caf::timespan grace{0};
  std::uint64_t completed = 0;
  std::uint64_t failed = 0;
  caf::typed_response_promise<std::uint64_t, std::uint64_t> rp;
};

struct frontend_state {
  frontend_config cfg;
  std::shared_ptr<frontend_socket> socket;
  /// The fleet's latest snapshot: each request goes straight to its Thing's
  /// client actor, so one client's requests to one Thing, oneway or not,
  /// travel one ordered path (CAF orders per sender/receiver pair).
  followed_directory directory;
  fleet_actor fleet;
  fanin_actor fanin;
  std::unordered_map<std::uint64_t, pending_request> in_flight;
  lane_table lanes;
  std::uint64_t next_request = 1;
  frontend_stats stats;
  frontend_guard guard;
  /// One `readable` in the mailbox at a time, from the reactor or from the
  /// front end itself: a busy socket must not fill the mailbox with them
  /// ahead of the replies.
  client::wake_flag wake;
  /// Bounds the log lines clients can cause (log_throttle.hpp).
  log_throttle client_lines;
  drain_progress drain;
  across_table across;
  clock_type::time_point started = clock_type::now();

  static inline const char* name = "holobroker.frontend";
};

using self_ptr = frontend_impl::stateful_pointer<frontend_state>;

// -- intake (frontend_intake.cpp) ------------------------------------------------------

/// How many messages one wake-up reads before the front end yields to its
/// mailbox (replies from the Things, directory updates): a client that
/// keeps the socket full must not hold back everybody else's replies. Each
/// batch is what another client's request or reply may wait behind:
/// measured (holobroker-bench --groups neighbour, quick, load 3-4) next to
/// a never-reading client the measured p50 was 3.5-4.1x its p50 alone at
/// 64, 2.1x at 16 and 1.5-1.7x at 4, with the daemon path's pipelined
/// rate no lower at 4 (30-31k req/s against 26-27k at 64).
inline constexpr int read_batch = 4;

/// Reads and handles up to read_batch messages; asks to be woken again
/// when the socket may have more.
void read_socket(self_ptr self);

/// Logs a line that a client's behaviour caused, within the front end's
/// bound for such lines (log_throttle.hpp).
template <class... Ts>
void client_log(self_ptr self, spdlog::level::level_enum level,
                fmt::format_string<Ts...> format, Ts&&... args) {
  if (!spdlog::should_log(level))
    return;
  std::uint64_t left_out = 0;
  if (!self->state.client_lines.admit(left_out))
    return;
  auto line = fmt::format(format, std::forward<Ts>(args)...);
  if (left_out == 0)
    spdlog::log(level, "{}", line);
  else
    spdlog::log(level, "{} ({} similar lines about clients left out before this one)", line,
                left_out);
}

/// Sends `res` to the client `identity` (a client that is gone or does not
/// read loses it, logged and counted).
void send_response(self_ptr self, const wire::shared_bytes& identity, wire::response res);

/// A routing id for the log: printable ids as they are, others in hex.
std::string printable(const wire::shared_bytes& id);

// -- requests in flight (frontend_forwarding.cpp) --------------------------------------

/// Enters `req` in the table; `counted`: in its Thing's stats.
std::uint64_t track(self_ptr self, const wire::request& req, bool counted,
                    std::optional<security::audit_record> audit = std::nullopt);

/// Ends a request that is still in flight with `res`; a request that already
/// ended (failed by the drain) is not answered twice.
void complete(self_ptr self, std::uint64_t id, wire::response res, request_outcome outcome);

/// Answers for the request `id` (still in flight).
wire::response json_reply(self_ptr self, std::uint64_t id, const nlohmann::json& value);
wire::response failure(self_ptr self, std::uint64_t id, const caf::error& err);
wire::response broker_exception(self_ptr self, std::uint64_t id, std::string type,
                                std::string message);

/// Passes an admitted request on to its Thing's client actor.
void forward(self_ptr self, const wire::request& req,
             std::optional<security::audit_record> audit);

/// The operation a Thing's client actor is asked for `req`.
client::operation_request to_operation(const wire::request& req);

/// The Thing's answer to the tracked request `id` (ignored if it ended already).
void answered(self_ptr self, std::uint64_t id, const client::operation_reply& rep);
void failed(self_ptr self, std::uint64_t id, const caf::error& err);

// -- lanes (frontend_lanes.cpp) -------------------------------------------------------

/// Sends `req` (tracked as `id`; 0: oneway) to its Thing's client actor
/// (`route`: the local one, or the peer's straight across) on its (client, Thing)
/// pair's lane, or holds it there while the pair changes lanes;
/// `client_idle`: the client had nothing else in flight.
void send_to_thing(self_ptr self, const wire::request& req, const client::thing_route& route,
                   std::uint64_t id, bool client_idle);

// -- a peer broker's Things, straight across (frontend_remote.cpp) ---------------------

/// Whether requests for `route` go straight to the peer broker's client
/// actor (thing_route::remote) instead of through the local peer actor.
bool across_to_peer(const client::thing_route& route);

/// How the failure `err` of a request to a Thing reaches the client: for a
/// peer broker's Thing sent across (`origin` its broker id, `bound` its
/// wait) as federation::hop_error names it, a timeout also logged; a local
/// Thing's (empty `origin`) unchanged.
caf::error across_failure(const std::string& origin, const caf::error& err,
                          caf::timespan bound);

/// A request (its response id `rid`) was just sent across to `to`: it is
/// waited for until `bound` from now, and ends at once if `to` goes away.
void sent_across(self_ptr self, caf::message_id rid, const client::client_actor& to,
                 caf::timespan bound);

/// Its answer (or error) came: forgets it.
void settled_across(self_ptr self, caf::message_id rid);

/// Ends the requests across whose deadline passed (the deadline timer).
void expire_across(self_ptr self);

/// A monitored peer client actor is gone (its link dropped): ends its
/// requests in flight.
void lost_across(self_ptr self, const caf::down_msg& dm);

// -- the broker's own actions (frontend_introspection.cpp) -----------------------------

/// Answers a request whose thingID is the broker's id.
void introspect(self_ptr self, const wire::request& req);

using status_done = std::function<void(nlohmann::json)>;
using status_failed = std::function<void(const caf::error&)>;

/// The status document (introspection.hpp) from the front end's counters,
/// the fleet and the event fan-in: the one source of the `status` action
/// and of broker_node::status() (holobrokerd's HTTP /status and /metrics).
/// `own` requests in flight are not counted (the asking request itself).
void collect_status(self_ptr self, std::size_t own, status_done done, status_failed failed);

// -- drain (frontend_drain.cpp) --------------------------------------------------------

/// Starts draining (answered when done; at once if already draining).
caf::typed_response_promise<std::uint64_t, std::uint64_t> begin_drain(self_ptr self,
                                                                      caf::timespan grace);

/// Fails what is still in flight, closes the socket and answers the drain.
void finish_drain(self_ptr self);

/// While draining: refuses `req` (answering it unless oneway) and says true.
bool refused_by_drain(self_ptr self, const wire::request& req);

} // namespace holobroker::broker::frontend
