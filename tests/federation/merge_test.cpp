#define CAF_SUITE federation_merge
#include <caf/test/unit_test.hpp>

#include "holobroker/federation/directory_merge.hpp"

using namespace holobroker;

namespace {

client::thing_directory dir(std::uint64_t version, const std::string& origin,
                            std::vector<std::string> ids) {
  client::thing_directory::map_type routes;
  for (auto& id : ids) {
    client::thing_route r;
    r.thing_id = id;
    r.origin = origin;
    r.server_id = origin.empty() ? "local-server" : origin + "-server";
    routes.emplace(id, std::move(r));
  }
  return client::thing_directory{version, std::move(routes)};
}

} // namespace

CAF_TEST(local Things and the unclaimed Things of every peer are routed) {
  auto local = dir(3, "", {"a1", "a2"});
  auto b = dir(1, "lab-b", {"b1"});
  auto c = dir(7, "lab-c", {"c1", "c2"});
  auto m = federation::merge_directories(local, {&b, &c});
  CAF_CHECK_EQUAL(m.routes.size(), 5u);
  CAF_CHECK(m.conflicts.empty());
  CAF_CHECK(m.unrouted.empty());
  CAF_CHECK_EQUAL(m.routes.at("a1").origin, "");
  CAF_CHECK_EQUAL(m.routes.at("b1").origin, "lab-b");
  CAF_CHECK_EQUAL(m.routes.at("c2").server_id, "lab-c-server");
}

CAF_TEST(a Thing claimed here and by a peer stays local and is reported) {
  auto local = dir(1, "", {"x"});
  auto b = dir(1, "lab-b", {"x", "b1"});
  auto m = federation::merge_directories(local, {&b});
  CAF_CHECK_EQUAL(m.routes.at("x").origin, "");
  CAF_CHECK_EQUAL(m.routes.at("x").server_id, "local-server");
  CAF_CHECK_EQUAL(m.conflicts.at("x"), "local and lab-b");
  CAF_CHECK(m.unrouted.empty());
}

CAF_TEST(a Thing claimed by two peers is routed to neither) {
  auto local = dir(1, "", {});
  auto b = dir(1, "lab-b", {"dup", "b1"});
  auto c = dir(1, "lab-c", {"dup"});
  auto m = federation::merge_directories(local, {&b, &c});
  CAF_CHECK_EQUAL(m.routes.count("dup"), 0u);
  CAF_CHECK_EQUAL(m.routes.count("b1"), 1u);
  CAF_CHECK_EQUAL(m.conflicts.at("dup"), "lab-b, lab-c");
  CAF_REQUIRE_EQUAL(m.unrouted.size(), 1u);
  CAF_CHECK_EQUAL(m.unrouted.front(), "dup");
  // When one of them stops claiming it, the other one serves it again.
  auto c2 = dir(2, "lab-c", {});
  auto m2 = federation::merge_directories(local, {&b, &c2});
  CAF_CHECK_EQUAL(m2.routes.at("dup").origin, "lab-b");
  CAF_CHECK(m2.conflicts.empty());
}
