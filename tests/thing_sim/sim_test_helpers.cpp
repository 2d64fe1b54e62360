#include "sim_test_helpers.hpp"

#include "holobroker/zmq/multipart_io.hpp"

namespace holobroker::test {

zmq::socket_t subscriber(zmq::context_t& ctx, const std::string& address,
                         const std::string& topic) {
  zmq::socket_t sub{ctx, zmq::socket_type::sub};
  sub.set(zmq::sockopt::linger, 0);
  sub.set(zmq::sockopt::subscribe, topic);
  sub.connect(address);
  return sub;
}

std::optional<wire::event> next_event(zmq::socket_t& sub, const std::string& topic,
                                      std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    while (auto msg = zmqio::recv_multipart(sub)) {
      auto ev = wire::parse_event(*msg);
      if (ev && ev->topic == topic)
        return std::move(*ev);
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return std::nullopt;
    zmq::pollitem_t item{sub.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, left);
  }
}

nlohmann::json payload_json(const wire::response& res) {
  auto j = nlohmann::json::parse(res.payload.view(), nullptr, false);
  return j.is_discarded() ? nlohmann::json{} : j;
}

std::string exception_type(const wire::response& res) {
  auto j = payload_json(res);
  if (!j.is_object() || !j.contains("exception"))
    return "";
  return j["exception"].value("type", "");
}

} // namespace holobroker::test
