#pragma once

// The merge rule of a federated broker's directory, as a pure function (the
// federation actor applies it on every change; tests check it directly):
// - this broker's own Things are always routed to its own connections;
// - a peer's Thing is routed to that peer when no other broker claims it;
// - an id this broker and a peer both claim stays local and is reported
//   ("local and <peer>");
// - an id two or more peers claim is routed to none of them and reported
//   ("<peer>, <peer>"): never a random pick.

#include <map>
#include <string>
#include <vector>

#include "holobroker/client/thing_directory.hpp"

namespace holobroker::federation {

struct merge_result {
  /// Routes to serve: local ones and peers' unclaimed-by-others ones.
  client::thing_directory::map_type routes;
  /// Thing id -> who claims it, for every id claimed more than once.
  std::map<std::string, std::string> conflicts;
  /// The conflicts among peers only (not routed; a subset of `conflicts`).
  std::vector<std::string> unrouted;
};

/// `peers`: each peer's own routes (origin = that peer's broker id).
merge_result merge_directories(const client::thing_directory& local,
                               const std::vector<const client::thing_directory*>& peers);

} // namespace holobroker::federation
