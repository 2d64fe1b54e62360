#include "support/fake_sockets.hpp"

#include <stdexcept>

#include "holobroker/wire/response.hpp"

namespace holobroker::test {

wire::request fake_wire::sent_request(std::size_t index) const {
  if (index >= sent.size())
    throw std::out_of_range{"fake_wire: nothing sent at index " + std::to_string(index)};
  auto parsed = wire::parse_request(sent[index]);
  if (!parsed)
    throw std::runtime_error{"fake_wire: sent an unparsable request: "
                             + parsed.error().to_string()};
  return *parsed;
}

void fake_wire::answer(std::size_t index, wire::message_type type, std::string payload) {
  auto req = sent_request(index);
  auto server_id = req.routing_id.to_string(); // the client sent [server id, ...]
  auto res = wire::make_response(type, req.header, server_id,
                                 wire::shared_bytes::from_string(std::move(payload)));
  res.routing_id = wire::shared_bytes::copy_of(server_id);
  inbox.push_back(wire::craft_response(res));
}

void fake_wire::link(transport::link_event_kind kind) {
  link_events.push_back(transport::link_event{kind, address});
}

namespace {

/// The oldest queued item, if any (what a socket would deliver next).
template <class Queue>
std::optional<typename Queue::value_type> pop_front(Queue& queue) {
  if (queue.empty())
    return std::nullopt;
  auto item = std::move(queue.front());
  queue.pop_front();
  return item;
}

class fake_monitor : public transport::link_monitor {
public:
  explicit fake_monitor(std::shared_ptr<fake_wire> w) : wire_(std::move(w)) {}
  std::optional<transport::link_event> next() override {
    return pop_front(wire_->link_events);
  }
  void watch(transport::wake_callback wake) override { wire_->monitor_wake = std::move(wake); }

private:
  std::shared_ptr<fake_wire> wire_;
};

class fake_request : public transport::request_transport {
public:
  explicit fake_request(std::shared_ptr<fake_wire> w) : wire_(std::move(w)) {
    wire_->open = true;
  }
  ~fake_request() override {
    wire_->open = false;
    wire_->wake = nullptr;
  }
  transport::send_result send(const wire::multipart& frames) override {
    if (wire_->next_result == transport::send_result::sent)
      wire_->sent.push_back(frames);
    return wire_->next_result;
  }
  std::optional<wire::multipart> receive() override { return pop_front(wire_->inbox); }
  void watch(transport::wake_callback wake) override { wire_->wake = std::move(wake); }
  std::unique_ptr<transport::link_monitor> open_monitor() override {
    if (!wire_->monitor_supported)
      return nullptr;
    return std::make_unique<fake_monitor>(wire_);
  }

private:
  std::shared_ptr<fake_wire> wire_;
};

class fake_events : public transport::event_transport {
public:
  explicit fake_events(std::shared_ptr<fake_wire> w) : wire_(std::move(w)) {
    wire_->open = true;
  }
  ~fake_events() override { wire_->open = false; }
  void subscribe(std::string_view topic) override {
    wire_->subscriptions.emplace_back(topic);
  }
  void unsubscribe(std::string_view topic) override {
    for (auto i = wire_->subscriptions.begin(); i != wire_->subscriptions.end(); ++i)
      if (*i == topic) {
        wire_->subscriptions.erase(i);
        return;
      }
  }
  std::optional<wire::multipart> receive() override { return pop_front(wire_->inbox); }
  void watch(transport::wake_callback wake) override { wire_->wake = std::move(wake); }

private:
  std::shared_ptr<fake_wire> wire_;
};

} // namespace

expected<std::unique_ptr<transport::request_transport>, std::string>
fake_transport_factory::open_request(const std::string& client_id, const std::string& address) {
  if (refuse)
    return unexpected<std::string>{"refused by the test"};
  wire->client_id = client_id;
  wire->address = address;
  return std::unique_ptr<transport::request_transport>{std::make_unique<fake_request>(wire)};
}

expected<std::unique_ptr<transport::event_transport>, std::string>
fake_transport_factory::open_events(const std::string& address) {
  if (refuse)
    return unexpected<std::string>{"refused by the test"};
  wire->address = address;
  return std::unique_ptr<transport::event_transport>{std::make_unique<fake_events>(wire)};
}

} // namespace holobroker::test
