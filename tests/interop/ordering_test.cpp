// The ordering contract: for one client and one Thing, requests of every kind
// (oneway or not) execute in the order sent, through holobrokerd, against the
// real server.
#define CAF_SUITE interop_ordering
#include <caf/test/unit_test.hpp>

#include "fronted_fleet.hpp"

using namespace holobroker::test::interop;
using namespace std::chrono_literals;
using nlohmann::json;

CAF_TEST(a oneway set then a read return the value set over 5000 pairs on IPC and TCP) {
  constexpr int pairs = 5000;
  fronted_fleet fleet{{"thing"}};
  auto ipc = fleet.drive("ipc", "ordering", {"--pairs", std::to_string(pairs)});
  auto tcp = fleet.drive("tcp", "ordering", {"--pairs", std::to_string(pairs)});
  for (auto [transport, d] : {std::pair{"ipc", ipc.get()}, std::pair{"tcp", tcp.get()}}) {
    CAF_MESSAGE("front end " << transport);
    CAF_CHECK(d->finish(300s));
    CAF_CHECK_EQUAL(got(*d, "oneway_then_read_ordering"),
                    (json{{"pairs", pairs}, {"mismatches", 0}, {"first_mismatch", nullptr}}));
  }
}
