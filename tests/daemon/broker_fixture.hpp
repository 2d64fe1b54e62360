#pragma once

// Deterministic fixture for the broker's actors: CAF's test coordinator,
// fake bound sockets, and fake connection/fleet/event-subscriber actors whose
// behaviour the tests script.

#include <deque>
#include <map>
#include <memory>
#include <vector>

#include <caf/test/dsl.hpp>

#include "holobroker/broker/event_fanin_actor.hpp"
#include "holobroker/broker/fleet_actor.hpp"
#include "holobroker/broker/frontend_actor.hpp"
#include "holobroker/broker/listener.hpp"
#include "holobroker/broker/type_ids.hpp"
#include "holobroker/client/error.hpp"
#include "holobroker/wire/request.hpp"
#include "holobroker/wire/response.hpp"

namespace holobroker::test {

struct broker_test_config : caf::actor_system_config {
  broker_test_config() { broker::add_message_types(*this); }
};

/// What a fake socket saw; shared between the test and the socket.
struct fake_wire_state {
  std::deque<wire::multipart> inbound;
  std::vector<wire::multipart> sent;
  transport::wake_callback wake;
  bool closed = false;
  /// The User-Id each inbound message arrives with, in order (what the ZAP
  /// handler would say); a message without one is anonymous.
  std::deque<std::string> user_ids;
  /// Every Nth send reports would_block (a client that does not read); it is
  /// recorded in `sent` all the same. 0: every send succeeds.
  std::size_t would_block_every = 0;
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
    return transport::send_result::sent;
  }
  std::optional<wire::multipart> receive() override { return pop_inbound(*st_); }
  std::optional<wire::multipart> receive(std::string& user_id) override {
    user_id.clear();
    auto m = pop_inbound(*st_);
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
    auto m = pop_inbound(*st_);
    if (m) {
      xs_->current = xs_->inbound_from.empty() ? 0 : xs_->inbound_from.front();
      if (!xs_->inbound_from.empty())
        xs_->inbound_from.pop_front();
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

/// Requests the fake connection saw, in arrival order, and the ones it
/// holds unanswered.
struct connection_script {
  struct call {
    bool oneway = false;
    client::operation_request request;
  };
  std::vector<call> calls;
  std::vector<client::operation_request> seen;   ///< execute only
  std::vector<client::operation_request> oneway; ///< oneway only
  std::vector<caf::typed_response_promise<client::operation_reply>> held;
};

/// A fake Thing connection (client actor). Answers by objekt: "hang" is held
/// (send it (receive_response_atom, "release:N") to answer the N-th held one
/// with `1`), "boom" raises ValueError, "late" is a server TIMEOUT
/// "execution", "lost" is the broker's deadline, "gone" is a disconnect,
/// "echo" replies with the request's payload frames and content types;
/// anything else replies `42`.
client::client_actor spawn_fake_connection(caf::actor_system& sys,
                                           std::shared_ptr<connection_script> s);

/// What the fake fleet reports.
struct fleet_script {
  std::vector<broker::thing_info> things;
};

/// A fake fleet whose directory maps each of `thing_ids` to `connection`.
broker::fleet_actor spawn_fake_fleet(caf::actor_system& sys, std::shared_ptr<fleet_script> s,
                                     client::client_actor connection,
                                     std::vector<std::string> thing_ids);

/// The directory the fake fleet publishes.
client::thing_directory fake_directory(const client::client_actor& connection,
                                       const std::vector<std::string>& thing_ids);

/// Subscriptions a fake event subscriber saw: "+thing/event" / "-thing/event".
/// With `hold_acks`, subscriptions are answered only when the test says so
/// (`held`), as a real subscriber answers once its ZMQ subscription is set.
struct subscriber_script {
  std::vector<std::string> calls;
  bool hold_acks = false;
  std::vector<caf::response_promise> held;
};

events::event_subscriber_actor spawn_fake_subscriber(caf::actor_system& sys,
                                                     std::shared_ptr<subscriber_script> s);

struct broker_fixture : test_coordinator_fixture<broker_test_config> {
  std::shared_ptr<fake_wire_state> front = std::make_shared<fake_wire_state>();
  std::shared_ptr<fake_wire_state> pub = std::make_shared<fake_wire_state>();
  std::shared_ptr<fake_xpub_state> xpub = std::make_shared<fake_xpub_state>();
  std::shared_ptr<connection_script> router_calls = std::make_shared<connection_script>();
  std::shared_ptr<fleet_script> fleet_calls = std::make_shared<fleet_script>();
  /// Serves every Thing of the fake fleet ("nope" is not in it).
  client::client_actor connection = spawn_fake_connection(sys, router_calls);
  std::vector<std::string> fleet_things{"spectrometer", "motor"};

  void release(std::size_t n) {
    caf::anon_send(connection, client::receive_response_atom_v, "release:" + std::to_string(n));
    sched.run();
  }

  /// Delivers a message from a hololinked client to the front end.
  void client_sends(wire::multipart frames) {
    front->inbound.push_back(std::move(frames));
    front->wake();
    sched.run();
  }

  /// A subscriber's (un)subscription at the XPUB; `from` numbers the
  /// subscriber (-1: libzmq's unsubscriptions for one that went away).
  void subscriber_sends(std::string_view topic, bool subscribe, int from = 0) {
    xpub->inbound_from.push_back(from);
    pub->inbound.push_back({wire::shared_bytes::copy_of(wire::subscription_message(topic, subscribe))});
    pub->wake();
    sched.run();
  }

  /// The i-th message the front end sent, parsed in the client's view.
  wire::response sent_response(std::size_t i) {
    CAF_REQUIRE(i < front->sent.size());
    auto frames = front->sent[i];
    frames[0] = wire::shared_bytes::copy_of("holobroker"); // client view: server id
    auto res = wire::parse_response(frames);
    CAF_REQUIRE(res.has_value());
    return *res;
  }
};

} // namespace holobroker::test
