// The payload scan of the server-side rules (wire/server_rules.hpp): what
// thing-sim answers DecodeError for must be what the real server's default
// serializer (msgspec) refuses, and nothing else.

#define CAF_SUITE wire.payload_scan
#include <caf/test/unit_test.hpp>

#include <string>

#include "holobroker/wire/server_rules.hpp"

using holobroker::wire::scan_json_payload;

CAF_TEST(a payload scan finds the root kind and a top level positional argument list) {
  CAF_CHECK(scan_json_payload(R"({"a":1})").valid);
  CAF_CHECK(scan_json_payload(R"({"a":1})").is_object);
  CAF_CHECK(!scan_json_payload(R"({"a":1})").has_args_key);
  CAF_CHECK(scan_json_payload(R"({"__args__":[1]})").has_args_key);
  CAF_CHECK(!scan_json_payload(R"({"a":{"__args__":[1]}})").has_args_key);
  CAF_CHECK(scan_json_payload("[1,2]").valid);
  CAF_CHECK(!scan_json_payload("[1,2]").is_object);
  CAF_CHECK(!scan_json_payload(R"(["__args__"])").has_args_key);
  CAF_CHECK(scan_json_payload("  {} ").valid);
}

CAF_TEST(a payload that ends early is truncated as msgspec words it) {
  for (std::string text : {"", "   ", R"({"a":)", "[1,", R"("abc)"}) {
    auto scan = scan_json_payload(text);
    CAF_CHECK(!scan.valid);
    CAF_CHECK_EQUAL(scan.error, "Input data was truncated");
  }
}

CAF_TEST(NaN Infinity and trailing text are malformed with the offending byte) {
  // msgspec.json.decode refuses all three (peer README: the default
  // serializer), so a server never sees them as numbers.
  auto nan = scan_json_payload("NaN");
  CAF_CHECK(!nan.valid);
  CAF_CHECK_EQUAL(nan.error.rfind("JSON is malformed: ", 0), 0u);
  CAF_CHECK_NOT_EQUAL(nan.error.find("(byte 0)"), std::string::npos);
  auto inf = scan_json_payload("[1, Infinity]");
  CAF_CHECK(!inf.valid);
  CAF_CHECK_NOT_EQUAL(inf.error.find("(byte 4)"), std::string::npos);
  auto trailing = scan_json_payload("{} x");
  CAF_CHECK(!trailing.valid);
  CAF_CHECK(!trailing.is_object);
  CAF_CHECK_NOT_EQUAL(trailing.error.find("(byte 3)"), std::string::npos);
}
