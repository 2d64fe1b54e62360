#pragma once

// In-memory sockets for deterministic actor tests (and fuzz targets), one
// library for every area: the connecting side (transport.hpp: a client
// actor's request socket, its monitor, the SUB) on a `fake_wire`, and the
// bound side (listener.hpp: the broker's front-end ROUTER and its XPUB) on a
// `fake_wire_state`. Each records what the actor sends, lets the test queue
// what it receives (and link events), and exposes the wake callbacks, so
// that the test decides when the actor is woken. The two sides keep their
// own state structs: a connecting socket has a peer address, a monitor and
// subscriptions; a bound one has many peers (identities in frame 0).

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "holobroker/broker/listener.hpp"
#include "holobroker/transport/transport.hpp"
#include "holobroker/wire/message_type.hpp"
#include "holobroker/wire/request.hpp"

namespace holobroker::test {

/// Everything the test sees and controls of one fake socket.
struct fake_wire {
  std::string client_id;
  std::string address;
  std::vector<wire::multipart> sent;
  std::deque<wire::multipart> inbox;
  transport::send_result next_result = transport::send_result::sent;
  transport::wake_callback wake;
  // Socket monitor.
  bool monitor_supported = true;
  std::deque<transport::link_event> link_events;
  transport::wake_callback monitor_wake;
  // SUB side.
  std::vector<std::string> subscriptions;
  bool open = false;

  /// The request at `index` of `sent`, parsed.
  wire::request sent_request(std::size_t index) const;

  /// Queues a response to sent[index] of `type` with `payload` (JSON text).
  void answer(std::size_t index, wire::message_type type, std::string payload = "null");

  /// Queues a link event.
  void link(transport::link_event_kind kind);
};

class fake_transport_factory : public transport::transport_factory {
public:
  std::shared_ptr<fake_wire> wire = std::make_shared<fake_wire>();
  bool refuse = false; ///< open_request fails

  expected<std::unique_ptr<transport::request_transport>, std::string>
  open_request(const std::string& client_id, const std::string& address) override;

  expected<std::unique_ptr<transport::event_transport>, std::string>
  open_events(const std::string& address) override;
};

// -- the bound side --------------------------------------------------------------------

/// What a fake socket saw; shared between the test and the socket.
struct fake_wire_state {
  std::deque<wire::multipart> inbound;
  /// The User-Id each inbound message arrives with, in order (what the ZAP
  /// handler would say); a message without one is anonymous.
  std::deque<std::string> user_ids;
  /// Front end only: every Nth send reports would_block (a client that does
  /// not read); it is recorded in `sent` all the same. 0: every send succeeds.
  std::size_t would_block_every = 0;
  /// Front end only: clients (routing ids) whose every send reports
  /// would_block (their queue is full), recorded in `sent` all the same.
  std::set<std::string> not_reading;
  std::vector<wire::multipart> sent;
  transport::wake_callback wake;
  bool closed = false;
};

/// The next message a test queued for a fake socket, if any.
inline std::optional<wire::multipart> pop_inbound(fake_wire_state& st) {
  if (st.inbound.empty())
    return std::nullopt;
  auto m = std::move(st.inbound.front());
  st.inbound.pop_front();
  return m;
}

class fake_frontend_socket : public broker::frontend_socket {
public:
  explicit fake_frontend_socket(std::shared_ptr<fake_wire_state> st) : st_(std::move(st)) {}
  ~fake_frontend_socket() override { st_->closed = true; }
  transport::send_result send(const wire::multipart& frames) override {
    st_->sent.push_back(frames);
    if (st_->would_block_every != 0 && st_->sent.size() % st_->would_block_every == 0)
      return transport::send_result::would_block;
    if (!frames.empty() && st_->not_reading.count(frames[0].to_string()) != 0)
      return transport::send_result::would_block;
    return transport::send_result::sent;
  }
  std::optional<wire::multipart> receive() override {
    std::string ignored;
    return receive(ignored);
  }
  std::optional<wire::multipart> receive(std::string& user_id) override {
    auto m = pop_inbound(*st_);
    user_id.clear();
    if (m && !st_->user_ids.empty()) {
      user_id = std::move(st_->user_ids.front());
      st_->user_ids.pop_front();
    }
    return m;
  }
  void watch(transport::wake_callback wake) override { st_->wake = std::move(wake); }

private:
  std::shared_ptr<fake_wire_state> st_;
};

/// What the fake XPUB's owner did besides broadcasting: filters set per
/// subscriber ("+prefix" / "-prefix", indexed by the subscriber number the
/// test gave with the subscription) and messages sent to one subscriber.
struct fake_xpub_state {
  std::deque<int> inbound_from;        ///< subscriber of each inbound message
  int current = -1;                    ///< -1: none
  std::map<int, std::vector<std::string>> filters;
  std::map<int, std::vector<wire::multipart>> sent_to;
};

class fake_publisher_socket : public broker::publisher_socket {
public:
  explicit fake_publisher_socket(std::shared_ptr<fake_wire_state> st,
                                 std::shared_ptr<fake_xpub_state> xs = std::make_shared<fake_xpub_state>())
    : st_(std::move(st)), xs_(std::move(xs)) {}
  ~fake_publisher_socket() override { st_->closed = true; }
  void send(const wire::multipart& frames) override {
    xs_->current = -1;
    st_->sent.push_back(frames);
  }
  std::optional<wire::multipart> receive() override {
    std::string ignored;
    return receive(ignored);
  }
  std::optional<wire::multipart> receive(std::string& user_id) override {
    auto m = pop_inbound(*st_);
    user_id.clear();
    if (m) {
      xs_->current = xs_->inbound_from.empty() ? 0 : xs_->inbound_from.front();
      if (!xs_->inbound_from.empty())
        xs_->inbound_from.pop_front();
      if (!st_->user_ids.empty()) {
        user_id = std::move(st_->user_ids.front());
        st_->user_ids.pop_front();
      }
    }
    return m;
  }
  void filter(std::string_view prefix, bool add) override {
    if (xs_->current >= 0)
      xs_->filters[xs_->current].push_back((add ? "+" : "-") + std::string{prefix});
  }
  bool send_to_current(const wire::multipart& frames) override {
    if (xs_->current < 0)
      return false;
    xs_->sent_to[xs_->current].push_back(frames);
    xs_->current = -1;
    return true;
  }
  bool manual() const override { return true; }
  void watch(transport::wake_callback wake) override { st_->wake = std::move(wake); }

private:
  std::shared_ptr<fake_wire_state> st_;
  std::shared_ptr<fake_xpub_state> xs_;
};

} // namespace holobroker::test
