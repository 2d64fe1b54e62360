#include "holobroker/federation/directory_merge.hpp"

#include <fmt/format.h>

namespace holobroker::federation {

merge_result merge_directories(const client::thing_directory& local,
                               const std::vector<const client::thing_directory*>& peers) {
  merge_result out;
  std::map<std::string, std::vector<const client::thing_route*>> claims;
  for (const auto* dir : peers)
    for (const auto& [id, route] : dir->routes())
      claims[id].push_back(&route);
  for (const auto& [id, route] : local.routes())
    out.routes.emplace(id, route);
  for (const auto& [id, routes] : claims) {
    std::vector<std::string> names;
    for (const auto* r : routes)
      names.push_back(r->origin.empty() ? "?" : r->origin);
    if (local.find(id) != nullptr) {
      out.conflicts.emplace(id, fmt::format("local and {}", fmt::join(names, ", ")));
    } else if (routes.size() > 1) {
      out.conflicts.emplace(id, fmt::format("{}", fmt::join(names, ", ")));
      out.unrouted.push_back(id);
    } else {
      out.routes.emplace(id, *routes.front());
    }
  }
  return out;
}

} // namespace holobroker::federation
