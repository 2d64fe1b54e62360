#include "holobroker/client/thing_directory.hpp"

namespace holobroker::client {

namespace {

const std::shared_ptr<const thing_directory::map_type>& empty_routes() {
  static const auto empty = std::make_shared<const thing_directory::map_type>();
  return empty;
}

} // namespace

thing_directory::thing_directory() : routes_(empty_routes()) {}

thing_directory::thing_directory(std::uint64_t version, map_type routes)
  : version_(version), routes_(std::make_shared<const map_type>(std::move(routes))) {}

const thing_route* thing_directory::find(std::string_view thing_id) const {
  auto i = routes_->find(thing_id);
  return i == routes_->end() ? nullptr : &i->second;
}

} // namespace holobroker::client
