// The JSON we write is what msgspec (the real peers' serializer) writes:
// compact, floats always with a fraction or exponent, only the characters
// JSON requires escaped, UTF-8 kept as is.
#define CAF_SUITE wire.json_format
#include <caf/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "holobroker/wire/execution_context.hpp"
#include "holobroker/wire/remote_exception.hpp"
#include "holobroker/wire/request.hpp"
#include "holobroker/wire/response.hpp"

using namespace holobroker::wire;

namespace {

// A timeout as it appears in the server context we write.
std::string timeout_text(double seconds) {
  auto json = to_json(server_execution_context{seconds, std::nullopt, false});
  const std::string prefix = R"({"invokation_timeout":)";
  CAF_REQUIRE_EQUAL(json.substr(0, prefix.size()), prefix);
  return json.substr(prefix.size(), json.size() - prefix.size() - 1);
}

// A string as it appears in a response header we write.
std::string string_text(const std::string& text) {
  response_header h;
  h.message_id = text;
  auto json = encode(h);
  auto start = json.find(R"("messageID":)") + 12;
  auto end = json.find(R"(,"receiverID")");
  return json.substr(start, end - start);
}

} // namespace

CAF_TEST(integral floats keep a fraction like msgspec: 5 is written 5.0) {
  CAF_CHECK_EQUAL(timeout_text(5), "5.0");
  CAF_CHECK_EQUAL(timeout_text(0), "0.0");
  CAF_CHECK_EQUAL(timeout_text(15), "15.0");
  CAF_CHECK_EQUAL(timeout_text(1e15), "1000000000000000.0");
}

CAF_TEST(fractional floats use the shortest digits that round trip) {
  CAF_CHECK_EQUAL(timeout_text(0.5), "0.5");
  CAF_CHECK_EQUAL(timeout_text(42.5), "42.5");
  CAF_CHECK_EQUAL(timeout_text(0.1), "0.1");
  CAF_CHECK_EQUAL(timeout_text(1.0 / 3), "0.3333333333333333");
  CAF_CHECK_EQUAL(timeout_text(0.0001), "0.0001");
  CAF_CHECK_EQUAL(timeout_text(0.00001), "0.00001");
}

CAF_TEST(very large and very small floats use msgspec exponent form without plus sign) {
  CAF_CHECK_EQUAL(timeout_text(1e21), "1e21");
  CAF_CHECK_EQUAL(timeout_text(1e16), "1e16");
  CAF_CHECK_EQUAL(timeout_text(1.5e300), "1.5e300");
  CAF_CHECK_EQUAL(timeout_text(1e-7), "1e-7");
  CAF_CHECK_EQUAL(timeout_text(2.5e-10), "2.5e-10");
  CAF_CHECK_EQUAL(timeout_text(std::numeric_limits<double>::max()), "1.7976931348623157e308");
  CAF_CHECK_EQUAL(timeout_text(std::numeric_limits<double>::denorm_min()), "5e-324");
}

CAF_TEST(negative floats and non finite floats) {
  CAF_CHECK_EQUAL(timeout_text(-2.5), "-2.5");
  CAF_CHECK_EQUAL(timeout_text(-1e21), "-1e21");
  // Not valid JSON: msgspec writes null, and so do we.
  CAF_CHECK_EQUAL(timeout_text(std::numeric_limits<double>::infinity()), "null");
  CAF_CHECK_EQUAL(timeout_text(std::nan("")), "null");
}

CAF_TEST(every float we write parses back to the same value) {
  for (double v : {5.0, 0.5, 1e21, 1e-7, 123456.789, 9007199254740993.0, 2.2250738585072014e-308}) {
    auto ctx_json = to_json(server_execution_context{v, std::nullopt, false});
    auto header = parse_request_header(R"({"messageType":"OPERATION","messageID":"i",)"
                                       R"("senderID":"s","receiverID":"r",)"
                                       R"("serverExecutionContext":)"
                                       + ctx_json + "}");
    CAF_REQUIRE(header.has_value());
    CAF_CHECK_EQUAL(*header->server_context.invokation_timeout, v);
  }
}

CAF_TEST(strings escape quotes backslashes and control characters only) {
  CAF_CHECK_EQUAL(string_text("plain"), R"("plain")");
  CAF_CHECK_EQUAL(string_text(R"(a"b\c)"), R"("a\"b\\c")");
  CAF_CHECK_EQUAL(string_text("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  CAF_CHECK_EQUAL(string_text(std::string{"\x00\x01\x1f", 3}), R"("\u0000\u0001\u001f")");
  // '/' and DEL need no escape; UTF-8 stays UTF-8.
  CAF_CHECK_EQUAL(string_text("a/b\x7f"), "\"a/b\x7f\"");
  CAF_CHECK_EQUAL(string_text("Grüße, 温度"), "\"Grüße, 温度\"");
}

CAF_TEST(escaped strings parse back to the original bytes) {
  std::string nasty{"id \"x\" \\ \n \x01 \0 ü", 17};
  response_header h;
  h.message_id = nasty;
  h.sender_id = "s";
  auto back = parse_response_header(encode(h));
  CAF_REQUIRE(back.has_value());
  CAF_CHECK_EQUAL(back->message_id, nasty);
}

CAF_TEST(execution contexts are written with the keys the server honours) {
  CAF_CHECK_EQUAL(to_json(default_operation_context()),
                  R"({"invokation_timeout":5.0,"execution_timeout":5.0})");
  CAF_CHECK_EQUAL(to_json(server_execution_context{5.0, 5.0, true}),
                  R"({"invokation_timeout":5.0,"execution_timeout":5.0,"oneway":true})");
  CAF_CHECK_EQUAL(to_json(server_execution_context{std::nullopt, 0.5, false}),
                  R"({"execution_timeout":0.5})");
  CAF_CHECK_EQUAL(to_json(server_execution_context{std::nullopt, std::nullopt, true}),
                  R"({"oneway":true})");
  CAF_CHECK_EQUAL(to_json(server_execution_context{}), "{}");
  CAF_CHECK_EQUAL(to_json(thing_execution_context{}), R"({"fetch_execution_logs":false})");
  CAF_CHECK_EQUAL(to_json(thing_execution_context{true}), R"({"fetch_execution_logs":true})");
}

CAF_TEST(exception payloads are written in the shape the server uses) {
  remote_exception ex{"bad \"value\"", "ValueError", {"Traceback:", "  line 1"}, std::nullopt};
  CAF_CHECK_EQUAL(to_json(ex), R"({"exception":{"message":"bad \"value\"","type":"ValueError",)"
                               R"("traceback":["Traceback:","  line 1"],"notes":null}})");
  ex.traceback.clear();
  ex.notes = "a note";
  CAF_CHECK_EQUAL(to_json(ex), R"({"exception":{"message":"bad \"value\"","type":"ValueError",)"
                               R"("traceback":[],"notes":"a note"}})");
  auto back = parse_remote_exception(to_json(ex));
  CAF_REQUIRE(back.has_value());
  CAF_CHECK(*back == ex);
}
