#include "holobroker/broker/subscription_rule.hpp"

namespace holobroker::broker {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

bool subscription_receives(std::string_view subscription, std::string_view topic) {
  if (!names_a_topic(subscription))
    return false;
  if (topic == subscription)
    return true;
  return topic.size() == subscription.size() + change_event_suffix.size()
         && topic.compare(0, subscription.size(), subscription) == 0 && ends_with(topic, change_event_suffix);
}

std::vector<std::string> topics_received_by(std::string_view subscription) {
  if (!names_a_topic(subscription))
    return {};
  std::string change{subscription};
  change += change_event_suffix;
  return {std::string{subscription}, std::move(change)};
}

std::vector<std::string> subscriptions_receiving(std::string_view topic) {
  std::vector<std::string> out;
  if (!names_a_topic(topic))
    return out;
  out.emplace_back(topic);
  if (ends_with(topic, change_event_suffix)) {
    auto property = topic.substr(0, topic.size() - change_event_suffix.size());
    if (names_a_topic(property))
      out.emplace_back(property);
  }
  return out;
}

bool names_a_topic(std::string_view subscription) {
  auto slash = subscription.find('/');
  return slash != std::string_view::npos && slash > 0 && slash + 1 < subscription.size();
}

} // namespace holobroker::broker
