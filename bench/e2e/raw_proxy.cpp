#include "raw_proxy.hpp"

#include <array>
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>

#include <zmq.hpp>

#include "holobroker/wire/requests.hpp"
#include "holobroker/wire/response.hpp"
#include "holobroker/zmq/multipart_io.hpp"

namespace holobroker::bench {

// ---------------------------------------------------------------------------
// The structural scan

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::size_t skip_space(std::string_view s, std::size_t i) {
  while (i < s.size() && is_space(s[i]))
    ++i;
  return i;
}

/// `s[i]` is an opening quote; returns the index after the closing one, or npos.
std::size_t skip_string(std::string_view s, std::size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\')
      ++i;
    else if (s[i] == '"')
      return i + 1;
  }
  return std::string_view::npos;
}

/// Skips one value starting at `i`; returns the index after it, or npos.
std::size_t skip_value(std::string_view s, std::size_t i) {
  if (i >= s.size())
    return std::string_view::npos;
  if (s[i] == '"')
    return skip_string(s, i);
  if (s[i] == '{' || s[i] == '[') {
    int depth = 0;
    while (i < s.size()) {
      char c = s[i];
      if (c == '"') {
        i = skip_string(s, i);
        if (i == std::string_view::npos)
          return i;
        continue;
      }
      if (c == '{' || c == '[')
        ++depth;
      else if ((c == '}' || c == ']') && --depth == 0)
        return i + 1;
      ++i;
    }
    return std::string_view::npos;
  }
  while (i < s.size() && s[i] != ',' && s[i] != '}' && !is_space(s[i]))
    ++i;
  return i;
}

} // namespace

bool find_members(std::string_view json, std::span<const std::string_view> keys,
                  std::span<std::optional<json_span>> out) {
  for (auto& o : out)
    o.reset();
  auto i = skip_space(json, 0);
  if (i >= json.size() || json[i] != '{')
    return false;
  i = skip_space(json, i + 1);
  if (i < json.size() && json[i] == '}')
    return true;
  for (;;) {
    if (i >= json.size() || json[i] != '"')
      return false;
    auto key_end = skip_string(json, i);
    if (key_end == std::string_view::npos)
      return false;
    auto key = json.substr(i + 1, key_end - i - 2);
    i = skip_space(json, key_end);
    if (i >= json.size() || json[i] != ':')
      return false;
    i = skip_space(json, i + 1);
    auto value_end = skip_value(json, i);
    if (value_end == std::string_view::npos || value_end == i)
      return false;
    for (std::size_t k = 0; k < keys.size() && k < out.size(); ++k)
      if (keys[k] == key)
        out[k] = json_span{i, value_end};
    i = skip_space(json, value_end);
    if (i >= json.size())
      return false;
    if (json[i] == '}')
      return true;
    if (json[i] != ',')
      return false;
    i = skip_space(json, i + 1);
  }
}

// ---------------------------------------------------------------------------
// The forwarder

namespace {

using frames_t = std::vector<zmq::message_t>;

std::string_view view(const zmq::message_t& m) {
  return {static_cast<const char*>(m.data()), m.size()};
}

/// Receives one whole message without blocking; false when none is waiting.
bool recv_all(zmq::socket_t& socket, frames_t& frames) {
  frames.clear();
  zmq::message_t first;
  if (!socket.recv(first, zmq::recv_flags::dontwait))
    return false;
  bool more = first.more();
  frames.push_back(std::move(first));
  while (more) {
    zmq::message_t next;
    (void) socket.recv(next, zmq::recv_flags::none); // the rest of a message is there at once
    more = next.more();
    frames.push_back(std::move(next));
  }
  return true;
}

/// Sends `head`, `header`, then frames[first..] (moved out, no copies).
/// False when the peer is not routable (ROUTER_MANDATORY): the message is
/// dropped, as a minimal forwarder does.
bool send_all(zmq::socket_t& socket, zmq::message_t head, frames_t& frames, std::size_t header_at,
              const std::string& header) {
  try {
    auto last = frames.size() - 1;
    if (!socket.send(head, zmq::send_flags::sndmore | zmq::send_flags::dontwait))
      return false;
    for (std::size_t i = 1; i < frames.size(); ++i) {
      auto flags = i == last ? zmq::send_flags::none : zmq::send_flags::sndmore;
      if (i == header_at) {
        zmq::message_t h{header.data(), header.size()};
        (void) socket.send(h, flags);
      } else {
        (void) socket.send(frames[i], flags);
      }
    }
    return true;
  } catch (const zmq::error_t& e) {
    if (e.num() == EHOSTUNREACH)
      return false;
    throw;
  }
}

/// `header` with the string value at `span` replaced by `"value"`.
void replace_value(std::string& out, std::string_view header, json_span span,
                   std::string_view value) {
  out.clear();
  out.append(header.substr(0, span.begin));
  out += '"';
  out.append(value);
  out += '"';
  out.append(header.substr(span.end));
}

bool plain_id(std::string_view id) {
  for (unsigned char c : id)
    if (c < 0x20 || c == '"' || c == '\\')
      return false;
  return !id.empty();
}

class proxy {
public:
  explicit proxy(const raw_proxy_options& opts)
    : opts_(opts), front_(ctx_, zmq::socket_type::router), back_(ctx_, zmq::socket_type::router) {
    for (auto* s : {&front_, &back_}) {
      s->set(zmq::sockopt::router_mandatory, 1);
      s->set(zmq::sockopt::linger, 0);
    }
    front_.set(zmq::sockopt::routing_id, opts.proxy_id);
    back_.set(zmq::sockopt::routing_id, opts.upstream_id);
    back_.connect(opts.upstream);
  }

  void handshake_upstream(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto hs = wire::craft_request(opts_.server_id,
                                    wire::make_handshake(opts_.upstream_id, opts_.server_id));
      if (zmqio::send_multipart(back_, hs, true) != zmqio::send_status::sent) {
        std::this_thread::sleep_for(std::chrono::milliseconds{1});
        continue;
      }
      zmq::pollitem_t item{back_.handle(), 0, ZMQ_POLLIN, 0};
      if (zmq::poll(&item, 1, std::chrono::milliseconds{500}) > 0) {
        auto reply = zmqio::recv_multipart(back_);
        if (reply) {
          auto res = wire::parse_response(*reply);
          if (res && res->header.type == wire::message_type::handshake)
            return;
        }
      }
    }
    throw std::runtime_error("server '" + opts_.server_id + "' at " + opts_.upstream
                             + " did not answer the handshake");
  }

  std::string bind() {
    front_.bind(opts_.bind);
    return front_.get(zmq::sockopt::last_endpoint);
  }

  [[noreturn]] void run() {
    std::array<zmq::pollitem_t, 2> items{zmq::pollitem_t{front_.handle(), 0, ZMQ_POLLIN, 0},
                                         zmq::pollitem_t{back_.handle(), 0, ZMQ_POLLIN, 0}};
    for (;;) {
      zmq::poll(items.data(), items.size(), std::chrono::milliseconds{-1});
      // A bounded batch per side and wake-up, so neither direction starves.
      for (int n = 0; n < 64 && recv_all(front_, frames_); ++n)
        from_client();
      for (int n = 0; n < 64 && recv_all(back_, frames_); ++n)
        from_server();
    }
  }

private:
  static constexpr std::array<std::string_view, 4> request_keys{
    "messageType", "messageID", "senderID", "serverExecutionContext"};
  static constexpr std::array<std::string_view, 3> reply_keys{"messageType", "messageID",
                                                              "receiverID"};

  void from_client() {
    if (frames_.size() < 3)
      return; // the real server drops these too
    auto header = view(frames_[2]);
    std::array<std::optional<json_span>, request_keys.size()> at;
    if (!find_members(header, request_keys, at) || !at[0] || !at[1] || !at[2])
      return; // not a hololinked header: no reply, as the real server
    auto type = at[0]->unquoted(header);
    auto message_id = at[1]->in(header);
    if (type == "HANDSHAKE") {
      answer_handshake(message_id, at[2]->in(header));
      return;
    }
    if (type == "EXIT")
      return; // would stop the server for every client
    replace_value(header_, header, *at[2], opts_.upstream_id);
    // oneway requests are never answered: nothing to remember.
    bool oneway = at[3] && at[3]->in(header).find("\"oneway\":true") != std::string_view::npos;
    std::string key{message_id};
    if (!oneway)
      clients_.insert_or_assign(key, std::string{view(frames_[0])});
    zmq::message_t head{opts_.server_id.data(), opts_.server_id.size()};
    if (!send_all(back_, std::move(head), frames_, 2, header_) && !oneway)
      clients_.erase(key); // server gone: dropped
  }

  void from_server() {
    if (frames_.size() < 3)
      return;
    auto header = view(frames_[2]);
    std::array<std::optional<json_span>, reply_keys.size()> at;
    if (!find_members(header, reply_keys, at) || !at[0] || !at[1])
      return;
    if (at[0]->unquoted(header) == "HANDSHAKE")
      return; // a late answer to a handshake retry
    auto it = clients_.find(std::string{at[1]->in(header)});
    if (it == clients_.end())
      return; // answered already (e.g. TIMEOUT after INVALID_MESSAGE) or never asked
    std::string client = std::move(it->second);
    clients_.erase(it);
    // receiverID names the client again, so the reply reads as the server's
    // answer to it. Client ids are JSON-escaped as sent in senderID: ids with
    // quotes or backslashes (none in practice) would need escaping here.
    if (at[2])
      replace_value(header_, header, *at[2], client);
    else
      header_.assign(header);
    (void) send_all(front_, zmq::message_t{client.data(), client.size()}, frames_, 2, header_);
  }

  void answer_handshake(std::string_view message_id_json, std::string_view sender_json) {
    std::string client{view(frames_[0])};
    header_.clear();
    header_ += R"({"messageType":"HANDSHAKE","messageID":)";
    header_ += message_id_json;
    header_ += R"(,"receiverID":)";
    header_ += sender_json;
    header_ += R"(,"senderID":")";
    header_ += opts_.proxy_id;
    header_ += R"(","payloadContentType":"application/json",)"
               R"("preencodedPayloadContentType":"text/plain"})";
    frames_t reply;
    reply.emplace_back();
    reply.emplace_back();
    reply.emplace_back();
    reply.emplace_back(std::string_view{"null"});
    reply.emplace_back();
    (void) send_all(front_, zmq::message_t{client.data(), client.size()}, reply, 2, header_);
  }

  raw_proxy_options opts_;
  zmq::context_t ctx_;
  zmq::socket_t front_;
  zmq::socket_t back_;
  frames_t frames_;
  std::string header_;
  std::unordered_map<std::string, std::string> clients_; ///< messageID JSON -> client routing id
};

} // namespace

int run_raw_proxy(const raw_proxy_options& opts) {
  try {
    if (!plain_id(opts.proxy_id) || !plain_id(opts.upstream_id))
      throw std::runtime_error("the proxy's ids must be non-empty and need no JSON escaping");
    proxy p{opts};
    p.handshake_upstream(std::chrono::seconds{10});
    auto endpoint = p.bind();
    std::printf("frontend %s\nready\n", endpoint.c_str());
    std::fflush(stdout);
    p.run();
  } catch (const std::exception& ex) {
    std::cerr << "raw-proxy: " << ex.what() << "\n";
    return 1;
  }
}

int raw_proxy_main(const std::vector<std::string>& args) {
  if (args.size() != 5) {
    std::cerr << "usage: holobroker-bench " << raw_proxy_mode
              << " BIND PROXY_ID UPSTREAM SERVER_ID UPSTREAM_ID\n";
    return 2;
  }
  return run_raw_proxy({args[0], args[1], args[2], args[3], args[4]});
}

raw_proxy_process::raw_proxy_process(const std::string& program, const raw_proxy_options& opts,
                                     const std::string& log_file)
  : id_(opts.proxy_id) {
  child_ = std::make_unique<child_process>(
    program,
    std::vector<std::string>{std::string{raw_proxy_mode}, opts.bind, opts.proxy_id, opts.upstream,
                             opts.server_id, opts.upstream_id},
    std::vector<std::string>{}, log_file);
  auto ready = child_->wait_for_line([](const std::string& l) { return l == "ready"; },
                                     std::chrono::seconds{30});
  if (!ready)
    throw std::runtime_error("raw-proxy did not get ready within 30 s (see " + log_file + ")");
  for (const auto& line : child_->lines())
    if (line.rfind("frontend ", 0) == 0)
      frontend_ = line.substr(9);
  if (frontend_.empty())
    throw std::runtime_error("raw-proxy announced no front end (see " + log_file + ")");
}

} // namespace holobroker::bench
