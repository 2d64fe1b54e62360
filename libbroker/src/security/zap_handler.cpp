#include "holobroker/security/zap_handler.hpp"

#include <grp.h>
#include <pwd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "holobroker/security/audit.hpp"
#include "holobroker/security/curve_keys.hpp"
#include "holobroker/zmq/multipart_io.hpp"

namespace holobroker::security {

namespace {

bool in_any(const std::vector<cidr>& ranges, const std::string& address) {
  for (const auto& r : ranges)
    if (r.contains(address))
      return true;
  return false;
}

zap_verdict refuse(principal who, std::string reason) {
  return {false, std::move(who), std::move(reason)};
}

} // namespace

std::vector<std::uint32_t> supplementary_groups(std::uint32_t uid, std::uint32_t gid) {
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) != 0 || !found)
    return {};
  int n = 64;
  std::vector<gid_t> groups(static_cast<std::size_t>(n));
  if (::getgrouplist(pw.pw_name, gid, groups.data(), &n) < 0) {
    groups.resize(static_cast<std::size_t>(n));
    if (::getgrouplist(pw.pw_name, gid, groups.data(), &n) < 0)
      return {};
  }
  std::vector<std::uint32_t> out;
  for (int i = 0; i < n; ++i)
    if (groups[static_cast<std::size_t>(i)] != gid)
      out.push_back(groups[static_cast<std::size_t>(i)]);
  return out;
}

zap_verdict decide(const zap_settings& s, const zap_request& r) {
  principal who;
  if (r.mechanism == "CURVE") {
    auto key = z85_of_raw(r.credentials.data(), r.credentials.size());
    auto i = s.curve_clients.find(key);
    if (i == s.curve_clients.end()) {
      who.kind = principal_kind::tcp_peer;
      who.address = r.address;
      return refuse(who, fmt::format("unknown CURVE key {}", key.empty() ? "?" : key));
    }
    who.kind = principal_kind::curve_key;
    who.key_name = i->second;
  } else if (r.mechanism != "NULL") {
    return refuse(who, "mechanism " + r.mechanism + " is not offered");
  } else if (cidr::parse(r.address)) {
    // A numeric IP address: a TCP peer (IPC addresses are `localhost:uid:gid:pid`).
    who.kind = principal_kind::tcp_peer;
    who.address = r.address;
    if (in_any(s.tcp_deny, r.address))
      return refuse(who, "address in security.tcp.deny");
    if (!s.tcp_allow.empty() && !in_any(s.tcp_allow, r.address))
      return refuse(who, "address not in security.tcp.allow");
  } else if (auto peer = unix_peer_of_zap_address(r.address)) {
    who = *peer;
    who.groups = supplementary_groups(who.uid, who.gid);
  } else {
    return refuse(who, "no peer credentials in the ZAP address \"" + r.address + "\"");
  }
  if (s.rules) {
    if (!s.rules->mentions(who))
      return refuse(who, "no security.policy rule is about this principal");
    if (r.domain == events_domain && s.events_filtered) {
      if (!s.rules->allows_somewhere(who, operation::subscribe))
        return refuse(who, "no security.policy rule allows subscribe on any Thing");
    } else if (r.domain == events_domain) {
      for (const auto& thing : s.things)
        if (!s.rules->authorize(who, thing, operation::subscribe).allowed)
          return refuse(who, fmt::format("may not subscribe to Thing \"{}\" (the event "
                                         "publisher cannot filter per subscriber)",
                                         thing));
    }
  }
  return {true, std::move(who), {}};
}

struct zap_handler::sockets {
  zmq::socket_t zap;
  zmq::socket_t control;
};

expected<std::unique_ptr<zap_handler>, std::string>
zap_handler::start(std::shared_ptr<zmq::context_t> context, zap_settings settings) {
  std::unique_ptr<zap_handler> h{new zap_handler};
  h->context_ = std::move(context);
  h->settings_ = std::make_shared<const zap_settings>(std::move(settings));
  h->control_ = fmt::format("inproc://holobroker.zap-control.{}", static_cast<void*>(h.get()));
  try {
    h->sockets_ = std::make_unique<sockets>(sockets{
      zmq::socket_t{*h->context_, zmq::socket_type::rep},
      zmq::socket_t{*h->context_, zmq::socket_type::pair}});
    h->sockets_->zap.set(zmq::sockopt::linger, 0);
    h->sockets_->control.set(zmq::sockopt::linger, 0);
    h->sockets_->zap.bind("inproc://zeromq.zap.01");
    h->sockets_->control.bind(h->control_);
  } catch (const zmq::error_t& err) {
    return unexpected<std::string>{
      std::string{"cannot bind the ZAP handler at inproc://zeromq.zap.01: "} + err.what()};
  }
  h->thread_ = std::thread{[raw = h.get()] { raw->run(); }};
  return h;
}

zap_handler::~zap_handler() {
  if (thread_.joinable()) {
    try {
      zmq::socket_t stop{*context_, zmq::socket_type::pair};
      stop.set(zmq::sockopt::linger, 0);
      stop.connect(control_);
      stop.send(zmq::str_buffer("stop"), zmq::send_flags::none);
      thread_.join();
    } catch (const zmq::error_t& err) {
      spdlog::error("ZAP handler: cannot stop cleanly: {}", err.what());
      thread_.detach();
    }
  }
}

void zap_handler::update(zap_settings settings) {
  auto next = std::make_shared<const zap_settings>(std::move(settings));
  std::lock_guard<std::mutex> guard{mutex_};
  settings_ = std::move(next);
}

void zap_handler::run() {
  auto& zap = sockets_->zap;
  zmq::pollitem_t items[] = {{zap.handle(), 0, ZMQ_POLLIN, 0},
                             {sockets_->control.handle(), 0, ZMQ_POLLIN, 0}};
  for (;;) {
    try {
      zmq::poll(items, 2, std::chrono::milliseconds{-1});
    } catch (const zmq::error_t&) {
      return; // context terminated
    }
    if (items[1].revents & ZMQ_POLLIN)
      return;
    if (!(items[0].revents & ZMQ_POLLIN))
      continue;
    auto frames = zmqio::recv_multipart(zap);
    if (!frames)
      continue;
    // RFC 27: version, request id, domain, address, identity, mechanism, credentials...
    auto text = [&](std::size_t i) {
      return i < frames->size() ? std::string{(*frames)[i].view()} : std::string{};
    };
    zap_request req{text(2), text(3), text(5), text(6)};
    zap_verdict verdict;
    if (frames->size() < 6 || text(0) != "1.0") {
      verdict.reason = "malformed ZAP request";
    } else {
      std::shared_ptr<const zap_settings> s;
      {
        std::lock_guard<std::mutex> guard{mutex_};
        s = settings_;
      }
      verdict = decide(*s, req);
    }
    auto status = verdict.accepted ? "200" : "400";
    auto user_id = verdict.accepted ? verdict.who.user_id() : std::string{};
    try {
      zap.send(zmq::buffer(text(0)), zmq::send_flags::sndmore);
      zap.send(zmq::buffer(text(1)), zmq::send_flags::sndmore);
      zap.send(zmq::buffer(std::string_view{status}), zmq::send_flags::sndmore);
      zap.send(zmq::buffer(verdict.accepted ? std::string{"OK"} : verdict.reason),
               zmq::send_flags::sndmore);
      zap.send(zmq::buffer(user_id), zmq::send_flags::sndmore);
      zap.send(zmq::message_t{}, zmq::send_flags::none);
    } catch (const zmq::error_t& err) {
      spdlog::error("ZAP handler: cannot answer: {}", err.what());
      return;
    }
    if (verdict.accepted) {
      ++accepted_;
      spdlog::debug("ZAP: {} connection from {} accepted as {}", req.domain, req.address,
                    verdict.who.describe());
      continue;
    }
    ++refused_;
    spdlog::warn("ZAP: refused a {} connection ({}) from {} ({}): {}", req.domain, req.mechanism,
                 req.address, verdict.who.describe(), verdict.reason);
    audit({verdict.who.describe(), {}, "connect", req.domain, {}, "refused",
           fmt::format("from {}: {}", req.address, verdict.reason)});
  }
}

} // namespace holobroker::security
