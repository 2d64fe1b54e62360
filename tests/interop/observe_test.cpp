// observe_property through holobrokerd delivers every change a direct client
// of the real server gets (real ObjectProxies on both paths, same test).
#define CAF_SUITE interop_observe
#include <caf/test/unit_test.hpp>

#include "fronted_fleet.hpp"

using namespace holobroker::test::interop;
using namespace std::chrono_literals;
using nlohmann::json;

CAF_TEST(observe_property through the broker delivers every change a direct client gets) {
  fronted_fleet fleet{{"thing"}};
  auto ipc = fleet.drive("ipc", "observe");
  auto tcp = fleet.drive("tcp", "observe");
  for (auto [transport, d] : {std::pair{"ipc", ipc.get()}, std::pair{"tcp", tcp.get()}}) {
    CAF_MESSAGE("front end " << transport);
    CAF_CHECK(d->finish(120s));
    auto r = got(*d, "observe_property_matches_direct");
    CAF_CHECK_EQUAL(r.value("warm", false), true);
    json expected = json::array();
    for (int i = 0; i < 20; ++i)
      expected.push_back(json::array({i, "x"}));
    CAF_CHECK_EQUAL(r["direct"], expected);
    CAF_CHECK_EQUAL(r["broker"], r["direct"]);
  }
}
