// observe_property through holobrokerd delivers every change a direct client
// of the real server gets (real ObjectProxies on both paths, same test), and
// with last_value a late observer gets the last change at once.
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
    check_observe_matches_direct(*d);
  }
}

CAF_TEST(a late real ObjectProxy observer gets the last change at once and the first gets it once) {
  // hololinked's observe_property subscribes <thing>/<property>; the broker
  // hands a new subscriber the newest <property>_change_event it kept.
  fronted_fleet fleet{{"thing"}, "    last_value: [observable_list_prop_change_event]\n"};
  auto ipc = fleet.drive("ipc", "late");
  auto tcp = fleet.drive("tcp", "late");
  for (auto [transport, d] : {std::pair{"ipc", ipc.get()}, std::pair{"tcp", tcp.get()}}) {
    CAF_MESSAGE("front end " << transport);
    CAF_CHECK(d->finish(120s));
    auto r = got(*d, "late_observer_gets_last_value");
    CAF_CHECK_EQUAL(r.value("warm", false), true);
    CAF_CHECK_EQUAL(r.value("arrived", false), true);
    auto last = json::array({json::array({42, "last"})});
    CAF_CHECK_EQUAL(r["late"], last);
    CAF_CHECK_EQUAL(r["first"], last);
  }
}
