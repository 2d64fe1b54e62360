#include "client/directory_publisher.hpp"

namespace holobroker::client {

void directory_publisher::put(thing_route route) {
  auto id = route.thing_id;
  routes_.insert_or_assign(std::move(id), std::move(route));
  dirty_ = true;
}

void directory_publisher::erase(const std::string& thing_id) {
  if (routes_.erase(thing_id) > 0)
    dirty_ = true;
}

} // namespace holobroker::client
