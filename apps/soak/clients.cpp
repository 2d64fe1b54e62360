#include "clients.hpp"

#include <stdexcept>

#include "holobroker/wire/remote_exception.hpp"
#include "holobroker/wire/request.hpp"
#include "holobroker/wire/requests.hpp"
#include "holobroker/wire/response.hpp"
#include "holobroker/zmq/multipart_io.hpp"

namespace holobroker::soak {

namespace {

constexpr std::string_view broker_id = "holobroker";

wire::shared_bytes bytes(std::string text) {
  return wire::shared_bytes::from_string(std::move(text));
}

wire::server_execution_context context(bool oneway = false) {
  wire::server_execution_context ctx;
  ctx.invokation_timeout = 2.0;
  ctx.execution_timeout = 2.0;
  ctx.oneway = oneway;
  return ctx;
}

} // namespace

clients::clients(zmq::context_t& ctx, std::string frontend, ledger& book, fleet_shape fleet,
                 std::size_t load_clients, std::size_t window, std::uint32_t seed)
  : ctx_(ctx), frontend_(std::move(frontend)), book_(book), fleet_(fleet), window_(window),
    rng_(seed) {
  for (std::size_t i = 0; i < load_clients; ++i)
    load_.push_back(make_peer("soak-load-" + std::to_string(i), i));
  vandal_ = make_peer("soak-vandal", load_clients);
}

clients::peer clients::make_peer(const std::string& identity, std::size_t book) {
  peer p;
  p.identity = identity;
  p.book = book;
  p.socket = std::make_unique<zmq::socket_t>(ctx_, zmq::socket_type::router);
  p.socket->set(zmq::sockopt::routing_id, identity);
  p.socket->set(zmq::sockopt::linger, 0);
  p.socket->set(zmq::sockopt::sndhwm, 100000);
  p.socket->set(zmq::sockopt::rcvhwm, 100000);
  p.socket->connect(frontend_);
  return p;
}

void clients::handshake(peer& p) {
  // A ROUTER drops messages to a peer it is not connected to yet: retry the
  // HANDSHAKE until the broker answers (what hololinked's clients do).
  auto deadline = clock_type::now() + std::chrono::seconds{10};
  while (clock_type::now() < deadline) {
    auto hs = wire::make_handshake(p.identity, broker_id);
    zmqio::send_multipart(*p.socket, wire::craft_request(broker_id, hs));
    auto retry = clock_type::now() + std::chrono::milliseconds{50};
    while (clock_type::now() < retry) {
      zmq::pollitem_t item{p.socket->handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, std::chrono::milliseconds{10});
      while (auto msg = zmqio::recv_multipart(*p.socket)) {
        auto res = wire::parse_response(*msg);
        if (res && res->header.type == wire::message_type::handshake
            && res->header.message_id == hs.header.message_id)
          return;
      }
    }
  }
  throw std::runtime_error("the broker did not answer " + p.identity + "'s HANDSHAKE");
}

void clients::connect() {
  for (auto& p : load_)
    handshake(p);
  handshake(vandal_);
}

void clients::send_request(peer& p, clock_type::time_point now) {
  namespace op = wire::op;
  auto server = std::uniform_int_distribution<std::size_t>{0, fleet_.servers - 1}(rng_);
  auto spec = "spec-" + std::to_string(server);
  auto motor = "motor-" + std::to_string(server);
  auto pick = std::uniform_int_distribution<int>{0, 99}(rng_);
  std::string thing = spec, objekt, payload = "null";
  std::string_view operation = op::read_property;
  bool oneway = false;
  if (pick < 35) {
    objekt = "integration_time";
  } else if (pick < 45) {
    objekt = "integration_time";
    operation = op::write_property;
    payload = std::to_string(1 + pick % 5); // short acquisitions
  } else if (pick < 55) {
    objekt = "echo";
    operation = op::invoke_action;
    payload = R"({"n":)" + std::to_string(pick) + R"(,"s":"soak"})";
  } else if (pick < 62) {
    objekt = "acquire";
    operation = op::invoke_action;
    payload = R"({"averages":1})";
  } else if (pick < 65) {
    objekt = "sleep";
    operation = op::invoke_action;
    payload = R"({"seconds":0.05})";
  } else if (pick < 67) {
    objekt = "fail";
    operation = op::invoke_action;
    payload = "{}";
  } else if (pick < 80) {
    thing = motor; // gone while a reload removed it: INVALID_MESSAGE
    objekt = "position";
  } else if (pick < 85) {
    objekt = "integration_time";
    operation = op::write_property;
    payload = "2";
    oneway = true;
  } else if (pick < 90) {
    thing = std::string{broker_id};
    objekt = pick % 2 == 0 ? "ping" : "status";
    operation = op::invoke_action;
    payload = "{}";
  } else if (pick < 95) {
    objekt = "no_such_property"; // the Thing raises KeyError
  } else {
    thing = "no-such-thing"; // the broker answers INVALID_MESSAGE
    objekt = "x";
  }
  auto id = book_.open(p.book, oneway ? ledger::expects::nothing : ledger::expects::answer, now);
  auto req = wire::make_operation(p.identity, broker_id, thing, objekt, operation,
                                  bytes(payload), context(oneway));
  req.header.message_id = id;
  zmqio::send_multipart(*p.socket, wire::craft_request(broker_id, req), false);
  if (!oneway)
    ++p.in_flight;
}

void clients::send_load(clock_type::time_point now, bool draining) {
  if (draining)
    return;
  for (auto& p : load_)
    while (p.in_flight < window_)
      send_request(p, now);
}

void clients::send_malformed(clock_type::time_point now) {
  using expects = ledger::expects;
  auto& p = vandal_;
  auto step = vandal_step_++ % 12;
  auto good = [&](expects what) {
    auto id = book_.open(p.book, what, now);
    auto req = wire::make_operation(p.identity, broker_id, "spec-0", "integration_time",
                                    wire::op::read_property, wire::null_payload(), context());
    req.header.message_id = id;
    return req;
  };
  wire::multipart frames;
  switch (step) {
    case 0: { // 4 frames: INVALID_MESSAGE ValueError
      frames = wire::craft_request(broker_id, good(expects::invalid_message));
      frames.pop_back();
      break;
    }
    case 1: { // 6 frames
      frames = wire::craft_request(broker_id, good(expects::invalid_message));
      frames.push_back(bytes("extra"));
      break;
    }
    case 2: { // no serverExecutionContext: INVALID_MESSAGE AttributeError
      auto req = good(expects::invalid_message);
      req.header.server_context_json.clear();
      frames = wire::craft_request(broker_id, req);
      break;
    }
    case 3: { // an unknown header key: the real server drops it
      auto req = good(expects::nothing);
      frames = wire::craft_request(broker_id, req);
      auto header = std::string{frames[2].view()};
      header.insert(1, R"("bogus":1,)");
      frames[2] = bytes(header);
      break;
    }
    case 4: { // EXIT: would stop a real server; the broker ignores it
      auto ex = wire::make_exit(p.identity, broker_id);
      ex.header.message_id = book_.open(p.book, expects::nothing, now);
      frames = wire::craft_request(broker_id, ex);
      break;
    }
    case 5: { // a HANDSHAKE in 3 frames: answered
      auto hs = wire::make_handshake(p.identity, broker_id);
      hs.header.message_id = book_.open(p.book, expects::answer, now);
      frames = wire::craft_request(broker_id, hs);
      frames.resize(3);
      break;
    }
    case 6: { // an empty JSON payload: EXCEPTION DecodeError
      auto req = good(expects::answer);
      req.payload = bytes("");
      frames = wire::craft_request(broker_id, req);
      break;
    }
    case 7: { // senderID not the socket's identity: answered to the socket
      auto req = good(expects::answer);
      req.header.sender_id = "somebody-else";
      frames = wire::craft_request(broker_id, req);
      break;
    }
    case 8: // 2 frames: dropped
      frames = {bytes(std::string{broker_id}), bytes("")};
      break;
    case 9: // not JSON
      frames = {bytes(std::string{broker_id}), bytes(""), bytes("\xff{not json"), bytes("null"),
                bytes("")};
      break;
    case 10: { // a large payload (256 KiB) to an echo action
      auto id = book_.open(p.book, expects::answer, now);
      auto req = wire::make_operation(p.identity, broker_id, "spec-0", "echo",
                                      wire::op::invoke_action,
                                      bytes(R"({"blob":")" + std::string(256 * 1024, 'x') + "\"}"),
                                      context());
      req.header.message_id = id;
      frames = wire::craft_request(broker_id, req);
      break;
    }
    default: { // random frames
      auto n = std::uniform_int_distribution<int>{1, 7}(rng_);
      frames.push_back(bytes(std::string{broker_id}));
      for (int i = 1; i < n; ++i) {
        std::string f(std::uniform_int_distribution<int>{0, 40}(rng_), '\0');
        for (auto& c : f)
          c = static_cast<char>(rng_());
        frames.push_back(bytes(std::move(f)));
      }
      break;
    }
  }
  zmqio::send_multipart(*p.socket, frames, false);
  ++malformed_;
}

void clients::ghost() {
  auto p = make_peer("soak-ghost-" + std::to_string(ghosts_++), 0);
  handshake(p);
  for (const char* objekt : {"sleep", "acquire", "echo", "integration_time"}) {
    bool action = std::string_view{objekt} != "integration_time";
    auto req = wire::make_operation(
      p.identity, broker_id, "spec-" + std::to_string(ghosts_ % fleet_.servers), objekt,
      action ? wire::op::invoke_action : wire::op::read_property,
      bytes(std::string_view{objekt} == "sleep" ? R"({"seconds":0.3})"
                                                : action ? "{}" : "null"),
      context());
    req.header.message_id = "ghost-" + std::to_string(ghosts_) + "-" + objekt;
    zmqio::send_multipart(*p.socket, wire::craft_request(broker_id, req), false);
  }
  // Gone before any answer: the socket closes with linger 0.
}

void clients::take(peer& p) {
  while (auto msg = zmqio::recv_multipart(*p.socket)) {
    auto res = wire::parse_response(*msg);
    if (!res) {
      ++unparsable_;
      book_.answered("(unparsable: " + res.error().to_string() + ")",
                     wire::message_type::reply, "");
      continue;
    }
    if (res->header.message_id.rfind("soak", 0) != 0
        && res->header.type == wire::message_type::handshake)
      continue; // our own connection handshakes
    std::string ex_type, ex_message;
    if (res->header.type == wire::message_type::exception
        || res->header.type == wire::message_type::invalid_message)
      if (auto ex = wire::parse_remote_exception(res->payload.view())) {
        ex_type = ex->type;
        ex_message = ex->message;
      }
    book_.answered(res->header.message_id, res->header.type, ex_type, ex_message);
    if (&p != &vandal_ && p.in_flight > 0)
      --p.in_flight;
  }
}

std::vector<std::string> clients::check_serving() {
  // Its own socket and ids, outside the ledger: these must be REPLYs.
  auto p = make_peer("soak-final", 0);
  handshake(p);
  std::vector<std::string> failing;
  for (std::size_t s = 0; s < fleet_.servers; ++s)
    for (const char* kind : {"spec-", "motor-"}) {
      auto thing = kind + std::to_string(s);
      auto objekt = kind == std::string_view{"spec-"} ? "integration_time" : "position";
      bool ok = false;
      auto until = clock_type::now() + std::chrono::seconds{20};
      for (int attempt = 0; !ok && clock_type::now() < until; ++attempt) {
        auto req = wire::make_operation(p.identity, broker_id, thing, objekt,
                                        wire::op::read_property, wire::null_payload(), context());
        req.header.message_id = "final-" + thing + "-" + std::to_string(attempt);
        zmqio::send_multipart(*p.socket, wire::craft_request(broker_id, req), false);
        auto wait_until = clock_type::now() + std::chrono::seconds{6};
        while (!ok && clock_type::now() < wait_until) {
          zmq::pollitem_t item{p.socket->handle(), 0, ZMQ_POLLIN, 0};
          zmq::poll(&item, 1, std::chrono::milliseconds{100});
          while (auto msg = zmqio::recv_multipart(*p.socket)) {
            auto res = wire::parse_response(*msg);
            if (res && res->header.message_id == req.header.message_id) {
              ok = res->header.type == wire::message_type::reply;
              wait_until = clock_type::now(); // answered: next attempt or done
            }
          }
        }
      }
      if (!ok)
        failing.push_back(thing);
    }
  return failing;
}

void clients::receive(std::chrono::milliseconds timeout) {
  std::vector<zmq::pollitem_t> items;
  for (auto& p : load_)
    items.push_back({p.socket->handle(), 0, ZMQ_POLLIN, 0});
  items.push_back({vandal_.socket->handle(), 0, ZMQ_POLLIN, 0});
  zmq::poll(items.data(), items.size(), timeout);
  for (auto& p : load_)
    take(p);
  take(vandal_);
}

} // namespace holobroker::soak
