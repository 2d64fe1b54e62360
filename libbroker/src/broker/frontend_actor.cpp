#include "holobroker/broker/frontend_actor.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <unordered_map>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "holobroker/broker/error_reply.hpp"
#include "holobroker/broker/frontend_guard.hpp"
#include "holobroker/broker/introspection.hpp"
#include "holobroker/broker/request_stats.hpp"
#include "holobroker/client/error.hpp"
#include "holobroker/wire/requests.hpp"
#include "holobroker/wire/server_rules.hpp"

namespace holobroker::broker {

namespace {

using clock_type = std::chrono::steady_clock;
using nlohmann::json;

/// hololinked's special action returning the Thing Description (not in the TD).
constexpr std::string_view get_thing_description = "get_thing_description";

struct pending_request {
  wire::shared_bytes identity;
  wire::request_header header;
  clock_type::time_point start;
  bool counted = false; ///< in the Thing's stats (not an introspection request)
  bool thing_description = false;
  std::optional<security::audit_record> audit; ///< a write or invoke: audited when it ends
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
  client::thing_directory directory;
  fleet_actor fleet;
  fanin_actor fanin;
  std::unordered_map<std::uint64_t, pending_request> in_flight;
  std::uint64_t next_request = 1;
  std::map<std::string, thing_stats> stats;
  frontend_guard guard;
  std::uint64_t handshakes = 0;
  std::uint64_t dropped = 0;
  std::uint64_t invalid = 0;
  /// Client identity -> when it last sent a message (the `clients` gauge).
  std::unordered_map<std::string, clock_type::time_point> clients;
  std::string last_client;
  clock_type::time_point last_client_at;
  bool wake_pending = false;
  drain_progress drain;
  clock_type::time_point started = clock_type::now();

  thing_stats& stats_of(const std::string& thing) {
    auto i = stats.find(thing);
    if (i == stats.end())
      i = stats.emplace(thing, thing_stats{cfg.latency_samples}).first;
    return i->second;
  }

  static inline const char* name = "holobroker.frontend";
};

using self_ptr = frontend_actor::stateful_pointer<frontend_state>;

/// A routing id for the log: printable ids as they are, others in hex.
std::string printable(const wire::shared_bytes& id) {
  auto v = id.view();
  bool text = !v.empty();
  for (unsigned char c : v)
    text = text && c >= 0x20 && c < 0x7f;
  if (text)
    return std::string{v};
  std::string out = "0x";
  for (unsigned char c : v)
    out += fmt::format("{:02x}", c);
  return out;
}

void schedule_drain(self_ptr self) {
  // ZMQ_FD is edge-triggered and a send may consume the edge: look again.
  if (!self->state.wake_pending) {
    self->state.wake_pending = true;
    self->send(self, readable_atom_v);
  }
}

void send_response(self_ptr self, const wire::shared_bytes& identity, wire::response res) {
  auto& st = self->state;
  if (!st.socket)
    return;
  res.routing_id = identity;
  switch (st.socket->send(wire::craft_response(res))) {
    case transport::send_result::sent: break;
    case transport::send_result::unroutable:
      spdlog::debug("front end: client {} is gone; dropping its {} for {}", printable(identity),
                    wire::to_string(res.header.type), res.header.message_id);
      break;
    case transport::send_result::would_block:
      st.guard.reply_dropped();
      spdlog::warn("front end: client {} is not reading (high-water mark); dropping its {} "
                   "for {}", printable(identity), wire::to_string(res.header.type),
                   res.header.message_id);
      break;
  }
  schedule_drain(self);
}

void reply_invalid(self_ptr self, const wire::request& req, std::string type,
                   std::string message) {
  ++self->state.invalid;
  spdlog::info("front end: INVALID_MESSAGE to {} for {}: {}", printable(req.routing_id),
               req.header.message_id, message);
  send_response(self, req.routing_id,
                exception_reply(wire::message_type::invalid_message, req.header,
                                self->state.cfg.broker_id,
                                make_exception(std::move(type), std::move(message))));
}

void finish_drain(self_ptr self);

/// Ends a request that is still in flight with `res`; a request that already
/// ended (failed by the drain) is not answered twice.
void complete(self_ptr self, std::uint64_t id, wire::response res, request_outcome outcome) {
  auto& st = self->state;
  auto i = st.in_flight.find(id);
  if (i == st.in_flight.end())
    return;
  auto req = std::move(i->second);
  st.in_flight.erase(i);
  st.guard.ended(req.identity, req.audit, outcome);
  if (req.counted)
    st.stats_of(req.header.thing_id).finished(outcome, clock_type::now() - req.start);
  send_response(self, req.identity, std::move(res));
  if (st.drain.active) {
    ++st.drain.completed;
    if (st.in_flight.empty())
      finish_drain(self);
  }
}

request_outcome outcome_of(const caf::error& err) {
  auto code = client::client_errc_of(err);
  if (!code)
    return request_outcome::error;
  switch (*code) {
    case client::client_errc::remote_exception: return request_outcome::exception;
    case client::client_errc::timeout:
    case client::client_errc::server_timeout: return request_outcome::timeout;
    default: return request_outcome::error;
  }
}

std::uint64_t track(self_ptr self, const wire::request& req, bool counted,
                    std::optional<security::audit_record> audit = std::nullopt) {
  auto& st = self->state;
  auto id = st.next_request++;
  pending_request p;
  p.identity = req.routing_id;
  p.header = req.header;
  p.start = clock_type::now();
  p.counted = counted;
  p.audit = std::move(audit);
  st.guard.started(req.routing_id);
  p.thing_description = req.header.operation == wire::op::invoke_action
                        && req.header.objekt == get_thing_description;
  if (counted) {
    auto& s = st.stats_of(req.header.thing_id);
    ++s.requests;
    ++s.in_flight;
  }
  st.in_flight.emplace(id, std::move(p));
  return id;
}

wire::response reply_of(self_ptr self, std::uint64_t id, const client::operation_reply& rep) {
  auto& st = self->state;
  const auto& p = st.in_flight.at(id);
  auto payload = rep.payload;
  if (p.thing_description) {
    if (auto td = rewrite_thing_description(payload.view(), st.cfg.endpoints))
      payload = wire::shared_bytes::from_string(std::move(*td));
    else
      spdlog::warn("front end: {} of {} is not a Thing Description ({}); passed on unchanged",
                   get_thing_description, p.header.thing_id, td.error());
  }
  auto res = wire::make_response(wire::message_type::reply, p.header, st.cfg.broker_id,
                                 std::move(payload), rep.preserialized);
  if (!rep.payload_content_type.empty())
    res.header.payload_content_type = rep.payload_content_type;
  if (!rep.preencoded_payload_content_type.empty())
    res.header.preencoded_payload_content_type = rep.preencoded_payload_content_type;
  return res;
}

wire::response json_reply(self_ptr self, std::uint64_t id, const json& value) {
  const auto& p = self->state.in_flight.at(id);
  return wire::make_response(wire::message_type::reply, p.header, self->state.cfg.broker_id,
                             wire::shared_bytes::from_string(value.dump()));
}

wire::response failure(self_ptr self, std::uint64_t id, const caf::error& err) {
  const auto& p = self->state.in_flight.at(id);
  return error_reply(err, p.header, self->state.cfg.broker_id);
}

wire::response broker_exception(self_ptr self, std::uint64_t id, std::string type,
                                std::string message) {
  const auto& p = self->state.in_flight.at(id);
  return exception_reply(wire::message_type::exception, p.header, self->state.cfg.broker_id,
                         make_exception(std::move(type), std::move(message)));
}

constexpr auto introspection_timeout = std::chrono::seconds{5};

/// How long a client identity counts as a client after its last message.
constexpr auto client_horizon = std::chrono::minutes{5};

void forget_old_clients(frontend_state& st, clock_type::time_point now) {
  for (auto i = st.clients.begin(); i != st.clients.end();)
    i = now - i->second > client_horizon ? st.clients.erase(i) : std::next(i);
}

/// Notes the client identity of a message (for the `clients` gauge).
/// Consecutive messages of one client cost a comparison only.
void saw_client(frontend_state& st, const wire::shared_bytes& identity) {
  auto now = clock_type::now();
  if (identity.view() == st.last_client && now - st.last_client_at < std::chrono::seconds{1})
    return;
  st.last_client.assign(identity.view());
  st.last_client_at = now;
  st.clients.insert_or_assign(st.last_client, now);
  if (st.clients.size() > 65536) // random identities: keep memory bounded
    forget_old_clients(st, now);
}

using status_done = std::function<void(json)>;
using status_failed = std::function<void(const caf::error&)>;

/// The status document (introspection.hpp) from the front end's counters,
/// the fleet and the event fan-in: the one source of the `status` action
/// and of broker_node::status() (holobrokerd's HTTP /status and /metrics).
/// `own` requests in flight are not counted (the asking request itself).
void collect_status(self_ptr self, std::size_t own, status_done done, status_failed failed) {
  auto& st = self->state;
  self->request(st.fleet, introspection_timeout, get_atom_v, things_atom_v)
    .then(
      [self, own, done, failed](const std::vector<thing_info>& things) {
        self->request(self->state.fleet, introspection_timeout, get_atom_v, reload_atom_v)
          .then(
            [self, own, done, failed, things](std::uint64_t reloads) {
              self->request(self->state.fanin, introspection_timeout, get_atom_v, topics_atom_v)
                .then(
                  [self, own, done, things, reloads](const fanin_summary& events) {
                    auto& st = self->state;
                    auto now = clock_type::now();
                    forget_old_clients(st, now);
                    broker_summary b;
                    b.id = st.cfg.broker_id;
                    b.uptime_s = std::chrono::duration<double>(now - st.started).count();
                    b.draining = st.drain.active;
                    b.in_flight = st.in_flight.size() >= own ? st.in_flight.size() - own : 0;
                    b.handshakes = st.handshakes;
                    b.dropped = st.dropped;
                    b.invalid = st.invalid;
                    b.clients = st.clients.size();
                    b.reloads = reloads;
                    auto doc = status_payload(b, things, st.stats, events);
                    doc["broker"]["security"] = st.guard.to_json();
                    done(std::move(doc));
                  },
                  failed);
            },
            failed);
      },
      failed);
}

void introspect(self_ptr self, const wire::request& req) {
  auto id = track(self, req, false);
  const auto& action = req.header.objekt;
  if (req.header.operation != wire::op::invoke_action) {
    complete(self, id,
             broker_exception(self, id, "NotImplementedError",
                              "holobroker supports only invokeaction on itself, not "
                                + req.header.operation),
             request_outcome::error);
    return;
  }
  if (action == "ping") {
    complete(self, id, json_reply(self, id, nullptr), request_outcome::reply);
  } else if (action == "things") {
    self->request(self->state.fleet, introspection_timeout, get_atom_v, things_atom_v)
      .then(
        [self, id](const std::vector<thing_info>& things) {
          complete(self, id, json_reply(self, id, things_payload(things)),
                   request_outcome::reply);
        },
        [self, id](const caf::error& err) {
          complete(self, id, failure(self, id, err), request_outcome::error);
        });
  } else if (action == "status") {
    collect_status(
      self, 1, // not counting this request
      [self, id](json doc) {
        complete(self, id, json_reply(self, id, doc), request_outcome::reply);
      },
      [self, id](const caf::error& err) {
        complete(self, id, failure(self, id, err), request_outcome::error);
      });
  } else if (action == "last_event") {
    auto args = parse_last_event_kwargs(req.payload.view());
    if (!args) {
      complete(self, id, broker_exception(self, id, "TypeError", args.error()),
               request_outcome::error);
      return;
    }
    self
      ->request(self->state.fanin, introspection_timeout, get_atom_v, last_atom_v,
                args->first, args->second)
      .then(
        [self, id](const wire::event& ev) {
          complete(self, id, json_reply(self, id, last_event_payload(ev)),
                   request_outcome::reply);
        },
        [self, id](const caf::error& err) {
          complete(self, id, broker_exception(self, id, "KeyError", client::describe(err)),
                   request_outcome::error);
        });
  } else {
    complete(self, id,
             broker_exception(self, id, "KeyError",
                              "'" + action + "': holobroker's actions are ping, things, "
                                             "status and last_event"),
             request_outcome::error);
  }
}

client::operation_request to_operation(const wire::request& req) {
  client::operation_request op;
  op.thing_id = req.header.thing_id;
  op.objekt = req.header.objekt;
  op.objekt_json = req.header.objekt_json; // null or a list: forwarded verbatim
  op.operation = req.header.operation;
  op.payload = req.payload;
  op.preserialized = req.preserialized;
  op.payload_content_type = req.header.payload_content_type;
  op.preencoded_payload_content_type = req.header.preencoded_payload_content_type;
  op.options.server_context = req.header.server_context;
  op.options.thing_context = req.header.thing_context;
  return op;
}

void forward(self_ptr self, const wire::request& req,
             std::optional<security::audit_record> audit) {
  auto& st = self->state;
  const auto* route = st.directory.find(req.header.thing_id);
  if (req.header.server_context.oneway) {
    st.guard.passed_oneway(audit);
    ++st.stats_of(req.header.thing_id).oneway;
    auto message_id = req.header.message_id;
    auto who = printable(req.routing_id);
    if (route == nullptr) {
      // Oneway requests are never answered, as on the real server.
      spdlog::warn("front end: oneway request {} from {} for unknown Thing {} dropped",
                   message_id, who, req.header.thing_id);
      return;
    }
    self->request(route->client, caf::infinite, client::oneway_atom_v, to_operation(req))
      .then([](const std::string&) {},
            [message_id, who](const caf::error& err) {
              spdlog::warn("front end: oneway request {} from {} not delivered: {}", message_id,
                           who, client::describe(err));
            });
    return;
  }
  if (auto busy = st.guard.over_limit(req, st.cfg.broker_id)) {
    send_response(self, req.routing_id, std::move(*busy));
    return;
  }
  auto id = track(self, req, true, std::move(audit));
  if (route == nullptr) {
    complete(self, id,
             failure(self, id,
                     client::make_error(client::client_errc::unknown_thing,
                                        "no connection serves Thing '" + req.header.thing_id
                                          + "'")),
             request_outcome::error);
    return;
  }
  // The client core bounds every request by its deadline, so no timeout here.
  self->request(route->client, caf::infinite, client::execute_atom_v, to_operation(req))
    .then(
      [self, id](const client::operation_reply& rep) {
        if (self->state.in_flight.count(id) == 0)
          return;
        complete(self, id, reply_of(self, id, rep), request_outcome::reply);
      },
      [self, id](const caf::error& err) {
        if (self->state.in_flight.count(id) == 0)
          return;
        complete(self, id, failure(self, id, err), outcome_of(err));
      });
}

void on_message(self_ptr self, const wire::multipart& frames, const std::string& user_id) {
  auto& st = self->state;
  auto in = wire::server_intake(frames);
  if (in.req)
    saw_client(st, in.req->routing_id);
  switch (in.kind) {
    case wire::intake_kind::drop:
      ++st.dropped;
      spdlog::warn("front end: dropping {} from {}", in.reason,
                   frames.empty() ? "?" : printable(frames[0]));
      return;
    case wire::intake_kind::handshake:
      ++st.handshakes;
      send_response(self, in.req->routing_id,
                    wire::make_response(wire::message_type::handshake, in.req->header,
                                        st.cfg.broker_id));
      return;
    case wire::intake_kind::exit:
      ++st.dropped;
      spdlog::warn("front end: ignoring EXIT from {}: the broker serves other clients too",
                   printable(in.req->routing_id));
      return;
    case wire::intake_kind::invalid:
      reply_invalid(self, *in.req, std::move(in.error_type), std::move(in.reason));
      return;
    case wire::intake_kind::operation: break;
  }
  const auto& req = *in.req;
  const auto& h = req.header;
  if (st.drain.active) {
    if (!h.server_context.oneway)
      send_response(self, req.routing_id,
                    exception_reply(wire::message_type::exception, h, st.cfg.broker_id,
                                    make_exception("ConnectionRefusedError",
                                                   "holobroker is shutting down and accepts "
                                                   "no new requests")));
    return;
  }
  // Access control: a denied request never reaches a Thing (nor the broker's
  // own actions) and is answered with a PermissionError.
  auto admitted = st.guard.admit(req, user_id, st.cfg.broker_id);
  if (!admitted.admitted) {
    if (!h.server_context.oneway)
      send_response(self, req.routing_id, std::move(*admitted.refusal));
    return;
  }
  if (h.thing_id == st.cfg.broker_id) {
    introspect(self, req);
    return;
  }
  if (req.payload.empty() && h.payload_content_type == wire::json_content_type) {
    // What the real server answers: msgspec cannot decode an empty frame.
    if (!h.server_context.oneway)
      send_response(self, req.routing_id,
                    exception_reply(wire::message_type::exception, h, st.cfg.broker_id,
                                    make_exception("DecodeError", "Input data was truncated")));
    return;
  }
  forward(self, req, std::move(admitted.audit));
}

void drain_socket(self_ptr self) {
  auto& st = self->state;
  std::string user_id;
  while (st.socket) {
    auto frames = st.socket->receive(user_id);
    if (!frames)
      break;
    on_message(self, *frames, user_id);
  }
}

void finish_drain(self_ptr self) {
  auto& st = self->state;
  if (st.drain.done)
    return;
  st.drain.done = true;
  auto grace = std::chrono::duration<double>(st.drain.grace).count();
  std::vector<std::uint64_t> ids;
  for (const auto& [id, p] : st.in_flight)
    ids.push_back(id);
  for (auto id : ids) {
    auto res = broker_exception(self, id, "ConnectionAbortedError",
                                fmt::format("holobroker shut down before the Thing answered "
                                            "(drain grace period of {}s exceeded)",
                                            grace));
    auto& p = st.in_flight.at(id);
    st.guard.ended(p.identity, p.audit, request_outcome::error);
    if (p.counted)
      st.stats_of(p.header.thing_id).finished(request_outcome::error, clock_type::now() - p.start);
    send_response(self, p.identity, std::move(res));
    st.in_flight.erase(id);
    ++st.drain.failed;
  }
  st.socket.reset(); // unbinds; the IPC socket files go with it
  spdlog::info("front end: drained ({} completed, {} failed at the end of the grace period)",
               st.drain.completed, st.drain.failed);
  st.drain.rp.deliver(st.drain.completed, st.drain.failed);
}

} // namespace

frontend_actor spawn_frontend(caf::actor_system& sys, frontend_config cfg,
                              std::shared_ptr<frontend_socket> socket, fleet_actor fleet,
                              fanin_actor fanin, client::thing_directory directory) {
  auto init = [](self_ptr self, frontend_config cfg, std::shared_ptr<frontend_socket> socket,
                 fleet_actor fleet, fanin_actor fanin,
                 client::thing_directory directory) -> frontend_actor::behavior_type {
    auto& st = self->state;
    st.cfg = std::move(cfg);
    st.guard = frontend_guard{st.cfg.policy, st.cfg.max_in_flight_per_client};
    st.socket = std::move(socket);
    st.directory = std::move(directory);
    st.fleet = std::move(fleet);
    st.fanin = std::move(fanin);
    self->send(st.fleet, client::watch_atom_v); // follow the fleet's directory
    auto weak = caf::actor_cast<caf::weak_actor_ptr>(self);
    st.socket->watch([weak] {
      if (auto hdl = caf::actor_cast<caf::actor>(weak))
        caf::anon_send(hdl, readable_atom_v);
    });
    return {
      [self](put_atom, client::thing_directory& next) {
        auto& st = self->state;
        if (self->current_sender() != caf::actor_cast<caf::strong_actor_ptr>(st.fleet)
            || next.version() <= st.directory.version())
          return; // only the fleet's, and never an older one than the spawn snapshot
        st.directory = std::move(next);
      },
      [self](readable_atom) {
        self->state.wake_pending = false;
        drain_socket(self);
      },
      [self](drain_atom, caf::timespan grace)
        -> caf::typed_response_promise<std::uint64_t, std::uint64_t> {
        auto& st = self->state;
        auto rp = self->make_response_promise<std::uint64_t, std::uint64_t>();
        if (st.drain.active) {
          rp.deliver(std::uint64_t{0}, std::uint64_t{0});
          return rp;
        }
        st.drain.active = true;
        st.drain.grace = grace;
        st.drain.rp = rp;
        spdlog::info("front end: draining {} requests in flight (grace {}s)", st.in_flight.size(),
                     std::chrono::duration<double>(grace).count());
        if (st.in_flight.empty())
          finish_drain(self);
        else
          self->delayed_send(self, grace, drain_atom_v, close_atom_v);
        return rp;
      },
      [self](drain_atom, close_atom) { finish_drain(self); },
      [self](get_atom, status_atom) -> caf::result<std::string> {
        auto rp = self->make_response_promise<std::string>();
        collect_status(
          self, 0, [rp](json doc) mutable { rp.deliver(doc.dump()); },
          [rp](const caf::error& err) mutable { rp.deliver(err); });
        return rp;
      },
    };
  };
  return sys.spawn(init, std::move(cfg), std::move(socket), std::move(fleet), std::move(fanin),
                   std::move(directory));
}

} // namespace holobroker::broker
