#include "sim_server.hpp"

#include "holobroker/wire/server_rules.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "holobroker/wire/address.hpp"
#include "holobroker/wire/event.hpp"
#include "holobroker/zmq/multipart_io.hpp"
#include "thing_description.hpp"

namespace holobroker::sim {

namespace {

using wire::message_type;

constexpr std::size_t max_batch = 256;     // messages handled per wake-up and socket
constexpr int socket_hwm = 100000;         // room for deep pipelines (benchmarks)
constexpr double min_restart_down_ms = 50; // lets libzmq finish closing the old listener

/// Client-given timeouts can be any non-negative JSON number: clamp them to
/// ~30 years so the conversion to integer nanoseconds cannot overflow.
std::chrono::nanoseconds seconds(double s) {
  constexpr double max_seconds = 1e9;
  return std::chrono::nanoseconds{static_cast<long long>(std::min(s, max_seconds) * 1e9)};
}

wire::shared_bytes json_string(std::string_view text) {
  return wire::shared_bytes::copy_of(fmt::format("\"{}\"", text));
}

bool is_json(const std::string& content_type) {
  return content_type.empty() || content_type == wire::json_content_type;
}

/// Decodes frame 3 per payloadContentType, as the real server does for every
/// operation (golden ipc-readproperty-empty-payload-frame.json). For an echo
/// of a kwargs object the payload is only validated (`verbatim` is set): the
/// echo returns the frame as is.
std::optional<remote_error> decode_payload(const wire::request& req, bool echo_action,
                                           nlohmann::json& out, bool& verbatim) {
  const auto& ct = req.header.payload_content_type;
  auto bytes = req.payload.view();
  verbatim = false;
  if (is_json(ct)) {
    if (bytes == "null") {
      out = nullptr;
      return std::nullopt;
    }
    if (bytes == "{}") {
      out = nlohmann::json::object();
      return std::nullopt;
    }
    auto scan = wire::scan_json_payload(bytes);
    if (!scan.valid)
      return remote_error{"DecodeError", scan.error};
    if (echo_action && scan.is_object && !scan.has_args_key && req.preserialized.empty()) {
      verbatim = true;
      out = nlohmann::json::object(); // the echo does not look at it
      return std::nullopt;
    }
    out = nlohmann::json::parse(bytes, nullptr, false);
    if (out.is_discarded())
      return remote_error{"DecodeError", "JSON is malformed"};
    return std::nullopt;
  }
  if (ct == "application/msgpack" || ct == "msgpack") {
    if (bytes.empty())
      return remote_error{"DecodeError", "Input data was truncated"};
    out = nlohmann::json::from_msgpack(bytes.begin(), bytes.end(), true, false);
    if (out.is_discarded())
      return remote_error{"DecodeError", "MessagePack data is malformed"};
    return std::nullopt;
  }
  return remote_error{"ValueError",
                      fmt::format("content type {} is not supported by thing-sim", ct)};
}

std::string ipc_file(const std::string& address) {
  constexpr std::string_view prefix = "ipc://";
  return address.rfind(prefix, 0) == 0 ? address.substr(prefix.size()) : address;
}

std::unique_ptr<zmq::socket_t> make_socket(zmq::context_t& ctx, zmq::socket_type type,
                                           const std::string& routing_id) {
  auto s = std::make_unique<zmq::socket_t>(ctx, type);
  s->set(zmq::sockopt::linger, 0);
  s->set(zmq::sockopt::sndhwm, socket_hwm);
  if (type == zmq::socket_type::router) {
    s->set(zmq::sockopt::routing_id, routing_id);
    s->set(zmq::sockopt::rcvhwm, socket_hwm);
  }
  return s;
}

void bind_or_throw(zmq::socket_t& s, const std::string& address) {
  try {
    s.bind(address);
  } catch (const zmq::error_t& ex) {
    throw std::runtime_error(fmt::format("cannot bind {}: {}", address, ex.what()));
  }
}

/// Splits "host:port"; throws on a malformed port.
std::pair<std::string, int> split_host_port(const std::string& hp) {
  auto colon = hp.rfind(':');
  if (colon == std::string::npos)
    throw std::runtime_error(fmt::format("--tcp {}: expected HOST:PORT", hp));
  int port = -1;
  auto p = hp.substr(colon + 1);
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  if (ec != std::errc{} || end != p.data() + p.size() || port < 0 || port > 65534)
    throw std::runtime_error(fmt::format("--tcp {}: port must be 0..65534", hp));
  return {hp.substr(0, colon), port};
}

} // namespace

sim_server::sim_server(zmq::context_t& ctx, server_spec spec, server_options opts,
                       timer_queue& timers)
  : ctx_(ctx), spec_(std::move(spec)), opts_(std::move(opts)), timers_(timers) {
  slots_.resize(spec_.things.size());
  unsigned n = 0;
  auto now = fault_state::clock::now();
  for (std::size_t i = 0; i < spec_.things.size(); ++i) {
    slots_[i].faults = fault_state{opts_.seed + n++};
    for (const auto& f : spec_.things[i].faults)
      slots_[i].faults.apply(f, now);
    slot_index_.emplace(spec_.things[i].id, i);
  }
  reset_things();
}

sim_server::~sim_server() {
  for (auto& slot : slots_)
    slot.thing.reset(); // cancels the Things' timers while the queue exists
  close();
}

void sim_server::reset_things() {
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    auto& slot = slots_[i];
    slot.thing.reset();
    slot.thing = std::make_unique<simulated_thing>(spec_.things[i], *this);
    slot.queue.clear();
    slot.busy = false;
    slot.served_any = false;
  }
}

void sim_server::bind() {
  endpoints_.clear();
  if (opts_.ipc) {
    auto ep = std::make_unique<endpoint>();
    ep->kind = transport::ipc;
    ep->request_address = wire::ipc_request_address(opts_.temp_dir, spec_.id);
    ep->event_address = wire::ipc_event_address(opts_.temp_dir, spec_.id);
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path{opts_.temp_dir} / "sockets", ec);
    if (ec)
      throw std::runtime_error(fmt::format("cannot create {}/sockets: {}", opts_.temp_dir,
                                           ec.message()));
    endpoints_.push_back(std::move(ep));
  }
  if (opts_.tcp) {
    auto [host, port] = split_host_port(*opts_.tcp);
    auto ep = std::make_unique<endpoint>();
    ep->kind = transport::tcp;
    if (port != 0) {
      ep->request_address = fmt::format("tcp://{}:{}", host, port);
      ep->event_address = fmt::format("tcp://{}:{}", host, port + 1);
    } else {
      // Port 0: let the kernel pick the request port; the event port must be
      // the next one (hololinked's convention), so retry until both are free.
      for (int attempt = 0; attempt < 100 && ep->request_address.empty(); ++attempt) {
        auto router = make_socket(ctx_, zmq::socket_type::router, spec_.id);
        bind_or_throw(*router, fmt::format("tcp://{}:*", host));
        auto bound = router->get(zmq::sockopt::last_endpoint);
        auto events = wire::tcp_event_address(bound);
        auto pub = make_socket(ctx_, zmq::socket_type::pub, spec_.id);
        try {
          pub->bind(events);
        } catch (const zmq::error_t&) {
          continue; // port + 1 taken: try another port
        }
        ep->request_address = bound;
        ep->event_address = events;
        ep->router = std::move(router);
        ep->pub = std::move(pub);
      }
      if (ep->request_address.empty())
        throw std::runtime_error(fmt::format("no free TCP port pair on {}", host));
    }
    endpoints_.push_back(std::move(ep));
  }
  if (opts_.inproc) {
    auto ep = std::make_unique<endpoint>();
    ep->kind = transport::inproc;
    ep->request_address = wire::inproc_request_address(spec_.id);
    ep->event_address = wire::inproc_event_address(spec_.id);
    endpoints_.push_back(std::move(ep));
  }
  bind_endpoints();
}

void sim_server::bind_endpoints() {
  for (auto& ep : endpoints_) {
    if (!ep->router) {
      ep->router = make_socket(ctx_, zmq::socket_type::router, spec_.id);
      bind_or_throw(*ep->router, ep->request_address);
    }
    if (!ep->pub) {
      ep->pub = make_socket(ctx_, zmq::socket_type::pub, spec_.id);
      bind_or_throw(*ep->pub, ep->event_address);
    }
    spdlog::debug("{}: listening on {} (events {})", spec_.id, ep->request_address,
                  ep->event_address);
  }
}

void sim_server::close() {
  for (auto& ep : endpoints_) {
    ep->router.reset();
    ep->pub.reset();
    if (ep->kind == transport::ipc) {
      std::error_code ec; // already gone is fine
      std::filesystem::remove(ipc_file(ep->request_address), ec);
      std::filesystem::remove(ipc_file(ep->event_address), ec);
    }
  }
}

void sim_server::restart(double down_ms) {
  spdlog::info("{}: fault restart: closing sockets for {} ms", spec_.id, down_ms);
  ++generation_;
  restart_pending_ = false;
  close();
  reset_things();
  if (opts_.on_sockets_changed)
    opts_.on_sockets_changed();
  auto down = std::chrono::duration<double, std::milli>(std::max(down_ms, min_restart_down_ms));
  timers_.schedule_in(std::chrono::duration_cast<timer_queue::clock::duration>(down), [this] {
    try {
      bind_endpoints();
      spdlog::info("{}: fault restart: listening again", spec_.id);
    } catch (const std::exception& ex) {
      spdlog::error("{}: fault restart: {}", spec_.id, ex.what());
    }
    if (opts_.on_sockets_changed)
      opts_.on_sockets_changed();
  });
}

simulated_thing* sim_server::find_thing(std::string_view thing_id) {
  auto it = slot_index_.find(std::string{thing_id});
  return it == slot_index_.end() ? nullptr : slots_[it->second].thing.get();
}

std::optional<std::string> sim_server::apply_fault(const std::string& thing_id,
                                                   const fault_spec& spec) {
  bool any = false;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (thing_id != "*" && spec_.things[i].id != thing_id)
      continue;
    any = true;
    if (spec.mode == fault_mode::restart || spec.mode == fault_mode::exit)
      return fmt::format("fault {} is only available at run time (_sim_fault)",
                         to_string(spec.mode));
    slots_[i].faults.apply(spec, fault_state::clock::now());
  }
  if (!any)
    return fmt::format("server {} has no Thing {}", spec_.id, thing_id);
  return std::nullopt;
}

// -- thing_host ---------------------------------------------------------------

void sim_server::publish(std::string_view thing_id, std::string_view event_name,
                         wire::shared_bytes payload, wire::shared_bytes preserialized) {
  auto frames = wire::craft_event(
    wire::make_event(spec_.id, thing_id, event_name, std::move(payload), std::move(preserialized)));
  for (auto& ep : endpoints_) {
    if (!ep->pub)
      continue;
    try {
      zmqio::send_multipart(*ep->pub, frames);
    } catch (const zmq::error_t& ex) {
      spdlog::warn("{}: cannot publish {}/{}: {}", spec_.id, thing_id, event_name, ex.what());
    }
  }
}

timer_id sim_server::schedule(std::chrono::nanoseconds delay, timer_queue::callback fn) {
  return timers_.schedule_in(std::chrono::duration_cast<timer_queue::clock::duration>(delay),
                             std::move(fn));
}

void sim_server::cancel(timer_id id) {
  timers_.cancel(id);
}

// -- requests -----------------------------------------------------------------

void sim_server::on_readable(endpoint& ep) {
  for (std::size_t n = 0; n < max_batch && ep.router && !restart_pending_; ++n) {
    auto frames = zmqio::recv_multipart(*ep.router);
    if (!frames)
      return;
    handle(ep, std::move(*frames));
  }
}

void sim_server::handle(endpoint& ep, wire::multipart&& frames) {
  if (stopped_)
    return; // after EXIT the real server no longer reads requests
  auto in = wire::server_intake(frames);
  switch (in.kind) {
    case wire::intake_kind::drop:
      // The real server only logs these (golden ipc-invalid-header-*.json).
      spdlog::warn("{}: dropping {}, no reply", spec_.id, in.reason);
      return;
    case wire::intake_kind::handshake:
      reply(ep, in.req->header, message_type::handshake, wire::null_payload(),
            wire::empty_frame(), false, in.req->routing_id);
      return;
    case wire::intake_kind::exit:
      spdlog::warn("{}: EXIT message from {}: request loop stopped (no further requests "
                   "are answered, as on the real server)",
                   spec_.id, in.req->header.sender_id);
      stopped_ = true;
      return;
    case wire::intake_kind::invalid:
      reply_error(ep, in.req->header, message_type::invalid_message,
                  to_invalid_message(remote_error{in.error_type, in.reason}));
      return;
    case wire::intake_kind::operation:
      spdlog::trace("{}: {} {} from {}: {} {}/{}", spec_.id, wire::to_string(in.req->header.type),
                    in.req->header.message_id, in.req->header.sender_id,
                    in.req->header.operation, in.req->header.thing_id, in.req->header.objekt);
      accept_operation(ep, std::move(*in.req));
      return;
  }
}

void sim_server::accept_operation(endpoint& ep, wire::request&& req) {
  // server_intake() already applied the frame-count and context rules.
  const auto& h = req.header;
  auto it = slot_index_.find(h.thing_id);
  if (it == slot_index_.end()) {
    reply_error(ep, h, message_type::invalid_message,
                to_invalid_message(remote_error{"KeyError", wire::unknown_thing_message(h.thing_id)}));
    // Quirk of the real server: its invokation timer was already armed, so a
    // TIMEOUT follows for the same messageID (golden *-unknown-thing-id.json).
    if (h.server_context.invokation_timeout && !h.server_context.oneway) {
      auto header = h;
      auto gen = generation_;
      auto* epp = &ep;
      schedule(seconds(*h.server_context.invokation_timeout), [this, header, gen, epp] {
        if (gen == generation_)
          reply(*epp, header, message_type::timeout, json_string("invokation"));
      });
    }
    return;
  }
  auto idx = it->second;
  auto& slot = slots_[idx];
  if (!h.has_thing_context() && !slot.served_any) {
    // Deviation (README.md): on the real server this kills the Thing's worker
    // and nothing is answered any more; thing-sim says what is wrong instead.
    reply_error(ep, h, message_type::invalid_message,
                to_invalid_message(remote_error{
                  "ValueError",
                  "thingExecutionContext is missing from the request header (a real "
                  "hololinked 0.4 server stops serving this Thing; thing-sim rejects the "
                  "request instead)"}));
    return;
  }
  if (slot.busy) {
    auto j = std::make_shared<job>();
    j->req = std::move(req);
    j->ep = &ep;
    j->generation = generation_;
    const auto& ctx = j->req.header.server_context;
    if (ctx.invokation_timeout) {
      auto gen = generation_;
      j->invokation_timer = schedule(seconds(*ctx.invokation_timeout), [this, j, gen, idx] {
        if (gen != generation_)
          return;
        j->invokation_expired = true;
        const auto& hh = j->req.header;
        if (!hh.server_context.oneway
            && !slots_[idx].faults.swallow_reply(fault_state::clock::now()))
          reply(*j->ep, hh, message_type::timeout, json_string("invokation"));
      });
    }
    slot.queue.push_back(std::move(j));
    return;
  }
  job j;
  j.req = std::move(req);
  j.ep = &ep;
  j.generation = generation_;
  execute(slot, j, nullptr);
}

void sim_server::start_next(thing_slot& slot) {
  while (!slot.busy && !slot.queue.empty()) {
    auto j = std::move(slot.queue.front());
    slot.queue.pop_front();
    if (j->invokation_expired)
      continue; // answered with TIMEOUT "invokation"; never executed
    if (j->invokation_timer)
      cancel(j->invokation_timer);
    execute(slot, *j, j);
  }
}

void sim_server::execute(thing_slot& slot, job& j, job_ptr owner) {
  const auto& req = j.req;
  const auto& h = req.header;
  outcome out;
  bool exempt = false; // _sim_fault must work even on a faulty Thing
  std::function<void()> after_reply;
  nlohmann::json payload;
  bool verbatim = false;
  bool echo_action = h.operation == "invokeaction" && slot.thing->echoes_kwargs(h.objekt);
  if (auto err = decode_payload(req, echo_action, payload, verbatim)) {
    out.error = std::move(err);
  } else if (!h.has_thing_context()) {
    out.error = remote_error{"AttributeError",
                             "'ThingExecutionContext' object has no attribute 'pop'"};
  } else if (h.thing_context.fetch_execution_logs) {
    // What the real server answers in its default setup (golden
    // ipc-fetch-execution-logs.json).
    out.error = remote_error{"IndexError", "list index out of range"};
  } else if (h.operation == "invokeaction" && h.objekt == "get_thing_description") {
    out = thing_description(j, payload);
  } else if (h.operation == "invokeaction" && h.objekt == "_sim_fault") {
    exempt = true;
    out = sim_fault(slot, payload, after_reply);
  } else {
    operation_call call;
    call.operation = h.operation;
    call.objekt = h.objekt;
    call.objekt_json = h.objekt_json;
    call.payload = &payload;
    if (is_json(h.payload_content_type))
      call.payload_frame = req.payload;
    call.preserialized = req.preserialized;
    try {
      out = slot.thing->execute(call);
    } catch (const std::exception& ex) {
      // A model the configuration got wrong (e.g. a non-number motor
      // position) must not take the server down: answer like Python would.
      spdlog::error("{}/{}: {} {} failed: {}", spec_.id, h.thing_id, h.operation, h.objekt,
                    ex.what());
      out = outcome{};
      out.error = remote_error{"RuntimeError", ex.what()};
    }
  }
  slot.served_any = true;
  auto duration = out.duration;
  if (!exempt)
    duration += slot.faults.next_latency();
  if (duration.count() <= 0) {
    finish(slot, j, out, exempt);
    if (after_reply)
      after_reply();
    return;
  }
  // The Thing is busy until the simulated execution ends; later requests queue.
  slot.busy = true;
  auto gen = generation_;
  auto idx = static_cast<std::size_t>(&slot - slots_.data());
  auto timeout = h.server_context.execution_timeout; // read before `j` may move
  if (!owner)
    owner = std::make_shared<job>(std::move(j));
  if (timeout && seconds(*timeout) < duration)
    owner->execution_timer = schedule(seconds(*timeout), [this, owner, gen, idx] {
      if (gen != generation_)
        return;
      owner->execution_expired = true; // the operation goes on; its result is dropped
      const auto& hh = owner->req.header;
      if (!hh.server_context.oneway
          && !slots_[idx].faults.swallow_reply(fault_state::clock::now()))
        reply(*owner->ep, hh, message_type::timeout, json_string("execution"));
    });
  schedule(duration, [this, owner, gen, idx, out, exempt, after_reply] {
    if (gen != generation_)
      return;
    if (owner->execution_timer)
      cancel(owner->execution_timer);
    auto& s = slots_[idx];
    finish(s, *owner, out, exempt);
    if (after_reply)
      after_reply();
    s.busy = false;
    start_next(s);
  });
}

void sim_server::finish(thing_slot& slot, const job& j, const outcome& out, bool exempt) {
  const auto& h = j.req.header;
  if (j.execution_expired || h.server_context.oneway || j.generation != generation_)
    return;
  if (!exempt) {
    if (slot.faults.swallow_reply(fault_state::clock::now()))
      return;
    if (slot.faults.garble_reply()) {
      send_garbage(*j.ep, h);
      return;
    }
  }
  if (out.error)
    reply_error(*j.ep, h, message_type::exception, to_remote_exception(*out.error, h.objekt));
  else
    reply(*j.ep, h, message_type::reply, out.payload, out.preserialized, out.preencoded_result,
          j.req.routing_id);
}

outcome sim_server::thing_description(const job& j, const nlohmann::json& kwargs) {
  outcome out;
  if (!kwargs.is_object()) {
    out.error = remote_error{"TypeError",
                             "get_thing_description() argument after ** must be a mapping"};
    return out;
  }
  const endpoint* ep = j.ep;
  auto protocol = kwargs.value("protocol", std::string{});
  for (const auto& candidate : endpoints_) {
    bool match = (protocol == "IPC" && candidate->kind == transport::ipc)
                 || (protocol == "TCP" && candidate->kind == transport::tcp)
                 || (protocol == "INPROC" && candidate->kind == transport::inproc);
    if (match)
      ep = candidate.get();
  }
  std::vector<std::string> skip;
  if (auto it = kwargs.find("skip_names"); it != kwargs.end() && it->is_array())
    for (const auto& n : *it)
      if (n.is_string())
        skip.push_back(n.get<std::string>());
  const auto& thing = slots_[slot_index_.at(j.req.header.thing_id)].thing->spec();
  auto td = make_thing_description(thing,
                                   td_addresses{advertised_address(ep->request_address),
                                                advertised_address(ep->event_address)},
                                   skip);
  out.payload = wire::shared_bytes::from_string(td.dump());
  return out;
}

outcome sim_server::sim_fault(thing_slot& slot, const nlohmann::json& kwargs,
                              std::function<void()>& after_reply) {
  outcome out;
  fault_spec spec;
  if (auto err = parse_fault(kwargs, spec)) {
    out.error = std::move(err);
    return out;
  }
  spdlog::info("{}/{}: fault {}", spec_.id, slot.thing->id(), to_string(spec.mode));
  switch (spec.mode) {
    case fault_mode::restart:
      // From a timer, so that no socket is closed while it is being read.
      // Messages already queued behind this one are lost, as on a crash.
      after_reply = [this, down = spec.down_ms] {
        restart_pending_ = true;
        schedule(std::chrono::nanoseconds{0}, [this, down] { restart(down); });
      };
      break;
    case fault_mode::exit:
      after_reply = [this, spec] {
        schedule(seconds(spec.delay_ms / 1000.0), [this, code = spec.code] {
          spdlog::warn("{}: fault exit: exiting with code {}", spec_.id, code);
          if (opts_.on_exit)
            opts_.on_exit(code);
          else {
            std::fflush(stdout);
            std::_Exit(code);
          }
        });
      };
      break;
    default:
      slot.faults.apply(spec, fault_state::clock::now());
  }
  return out;
}

void sim_server::reply(endpoint& ep, const wire::request_header& req, message_type type,
                       wire::shared_bytes payload, wire::shared_bytes preserialized,
                       bool preencoded_json, const wire::shared_bytes& routing) {
  if (!ep.router)
    return; // restarting: the reply is lost like on a crashed server
  auto res = wire::make_response(type, req, spec_.id, std::move(payload), std::move(preserialized));
  if (preencoded_json)
    res.header.preencoded_payload_content_type = std::string{wire::json_content_type};
  // Routed by the header's senderID, not the transport identity, like the
  // real server (golden ipc-senderID-mismatch.json).
  res.routing_id = routing == req.sender_id ? routing
                                            : wire::shared_bytes::copy_of(req.sender_id);
  try {
    if (zmqio::send_multipart(*ep.router, wire::craft_response(res))
        != zmqio::send_status::sent)
      spdlog::debug("{}: reply to {} dropped (peer queue full)", spec_.id, req.sender_id);
  } catch (const zmq::error_t& ex) {
    spdlog::warn("{}: cannot reply to {}: {}", spec_.id, req.sender_id, ex.what());
  }
}

void sim_server::reply_error(endpoint& ep, const wire::request_header& req, message_type type,
                             const wire::remote_exception& ex) {
  if (req.server_context.oneway && type == message_type::exception)
    return;
  reply(ep, req, type, wire::shared_bytes::from_string(wire::to_json(ex)));
}

void sim_server::send_garbage(endpoint& ep, const wire::request_header& req) {
  if (!ep.router)
    return;
  wire::multipart frames{wire::shared_bytes::copy_of(req.sender_id), wire::empty_frame(),
                         wire::shared_bytes::copy_of("\xff garbage: not a hololinked header"),
                         wire::shared_bytes::copy_of(std::string_view{"\x00\x01\x02\x03", 4})};
  try {
    zmqio::send_multipart(*ep.router, frames);
  } catch (const zmq::error_t& ex) {
    spdlog::warn("{}: cannot send garbage to {}: {}", spec_.id, req.sender_id, ex.what());
  }
}

} // namespace holobroker::sim
