// Crafting and parsing client -> server requests, and every way a request
// header can be wrong.
#define CAF_SUITE wire.request
#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

#include "holobroker/wire/message_id.hpp"
#include "holobroker/wire/request.hpp"
#include "holobroker/wire/requests.hpp"

using namespace holobroker::wire;

namespace {

// A valid header with one member replaced or added (`extra` is appended).
std::string header_with(const std::string& members) {
  return R"({"messageType":"OPERATION","messageID":"m","senderID":"c","receiverID":"s")"
         + members + "}";
}

codec_error header_error(const std::string& json) {
  auto res = parse_request_header(json);
  if (res)
    CAF_FAIL("header parsed but should not: " << json);
  CAF_MESSAGE(res.error().to_string());
  return res.error();
}

multipart frames_of(std::initializer_list<std::string_view> texts) {
  multipart frames;
  for (auto text : texts)
    frames.push_back(shared_bytes::copy_of(text));
  return frames;
}

// The payload action_arguments builds, or the error text.
std::string args_text(std::string_view kwargs, const std::vector<std::string>& positional = {}) {
  auto res = action_arguments(kwargs, positional);
  return res ? *res : res.error().to_string();
}

} // namespace

CAF_TEST(an ObjectProxy readproperty is encoded in the field order of the real client) {
  auto req = make_operation("client-1", "test-thing", "test-thing", "number_prop",
                            op::read_property);
  CAF_CHECK(is_canonical_uuid(req.header.message_id));
  CAF_CHECK_EQUAL(encode(req.header),
                  R"({"messageType":"OPERATION","messageID":")" + req.header.message_id
                    + R"(","senderID":"client-1","receiverID":"test-thing",)"
                      R"("serverExecutionContext":{"invokation_timeout":5.0,"execution_timeout":5.0},)"
                      R"("thingExecutionContext":{"fetch_execution_logs":false},)"
                      R"("thingID":"test-thing","objekt":"number_prop","operation":"readproperty",)"
                      R"("payloadContentType":"application/json",)"
                      R"("preencodedPayloadContentType":"text/plain"})");
  CAF_CHECK(req.payload == "null");
  CAF_CHECK(req.preserialized.empty());
}

CAF_TEST(a oneway operation carries oneway true in the server context) {
  server_execution_context ctx = default_operation_context();
  ctx.oneway = true;
  auto req = make_operation("c", "s", "t", "number_prop", op::write_property,
                            shared_bytes::copy_of("2.5"), ctx);
  auto back = parse_request_header(encode(req.header));
  CAF_REQUIRE(back.has_value());
  CAF_CHECK(back->server_context.oneway);
  CAF_CHECK_EQUAL(back->server_context_json,
                  R"({"invokation_timeout":5.0,"execution_timeout":5.0,"oneway":true})");
}

CAF_TEST(handshake and exit carry the struct default contexts and empty operation fields) {
  for (auto req : {make_handshake("c", "s"), make_exit("c", "s")}) {
    CAF_CHECK_EQUAL(req.header.server_context_json, handshake_server_context_json);
    CAF_CHECK_EQUAL(req.header.thing_context_json, handshake_thing_context_json);
    CAF_CHECK_EQUAL(req.header.thing_id, "");
    CAF_CHECK_EQUAL(req.header.objekt, "");
    CAF_CHECK_EQUAL(req.header.operation, "");
    CAF_CHECK(req.payload == "null");
  }
  CAF_CHECK(make_handshake("c", "s").header.type == message_type::handshake);
  CAF_CHECK(make_exit("c", "s").header.type == message_type::exit);
  CAF_CHECK_NOT_EQUAL(make_handshake("c", "s").header.message_id,
                      make_handshake("c", "s").header.message_id);
}

CAF_TEST(crafted requests have five frames and parse back on the server side) {
  auto req = make_operation("client-1", "test-thing", "thing", "act", op::invoke_action,
                            shared_bytes::copy_of("{}"), default_operation_context(), {},
                            shared_bytes::copy_of(std::string{"\x00\x01", 2}));
  req.header.preencoded_payload_content_type = "application/octet-stream";
  auto frames = craft_request("test-thing", req);
  CAF_REQUIRE_EQUAL(frames.size(), message_frame_count);
  CAF_CHECK(frames[0] == "test-thing");
  CAF_CHECK(frames[1].empty());
  // The server application sees the client's routing id in frame 0.
  frames[0] = shared_bytes::copy_of("client-1");
  auto back = parse_request(frames);
  CAF_REQUIRE(back.has_value());
  CAF_CHECK(back->routing_id == "client-1");
  CAF_CHECK_EQUAL(back->frame_count, 5u);
  CAF_CHECK_EQUAL(encode(back->header), encode(req.header));
  CAF_CHECK(back->payload == "{}");
  CAF_CHECK(back->preserialized == std::string_view("\x00\x01", 2));
  CAF_CHECK_EQUAL(back->header.preencoded_payload_content_type, "application/octet-stream");
}

CAF_TEST(action arguments put keyword arguments first and positional ones under __args__) {
  CAF_CHECK_EQUAL(args_text(""), "{}");
  CAF_CHECK_EQUAL(args_text("{}"), "{}");
  CAF_CHECK_EQUAL(args_text(R"({"value":{"x":1}})"), R"({"value":{"x":1}})");
  CAF_CHECK_EQUAL(args_text("", {"5"}), R"({"__args__":[5]})");
  CAF_CHECK_EQUAL(args_text("", {R"("positional-arg")"}),
                  R"({"__args__":["positional-arg"]})");
  CAF_CHECK_EQUAL(args_text(R"({"b":true})", {"1", "[2,3]", "null"}),
                  R"({"b":true,"__args__":[1,[2,3],null]})");
}

CAF_TEST(action arguments are compacted and keep number text verbatim) {
  CAF_CHECK_EQUAL(args_text(" { \"value\" : [ 1.10 , -0.0, 1e21 ] }\n", {" 7 "}),
                  R"({"value":[1.10,-0.0,1e21],"__args__":[7]})");
  CAF_CHECK_EQUAL(args_text(R"({"s":"Grüße \" \n"})"), R"({"s":"Grüße \" \n"})");
}

CAF_TEST(action arguments that are not JSON or not an object are named in the error) {
  auto bad_kwargs = action_arguments("{value:1}");
  CAF_REQUIRE(!bad_kwargs);
  CAF_CHECK(bad_kwargs.error().code == codec_errc::not_json);
  CAF_CHECK_NOT_EQUAL(bad_kwargs.error().what.find("keyword arguments"), std::string::npos);
  auto list = action_arguments("[1,2]");
  CAF_REQUIRE(!list);
  CAF_CHECK(list.error().code == codec_errc::not_object);
  auto bad_arg = action_arguments("{}", {"1", "nope"});
  CAF_REQUIRE(!bad_arg);
  CAF_CHECK(bad_arg.error().code == codec_errc::not_json);
  CAF_CHECK_NOT_EQUAL(bad_arg.error().what.find("positional argument 1"), std::string::npos);
  auto two_args = action_arguments(R"({"__args__":[1]})", {"2"});
  CAF_REQUIRE(!two_args);
  CAF_CHECK(two_args.error().code == codec_errc::bad_value);
  // Without positional arguments an explicit __args__ passes through.
  CAF_CHECK_EQUAL(args_text(R"({"__args__":[1]})"), R"({"__args__":[1]})");
}

CAF_TEST(read and write multiple properties go through the hidden actions like ObjectProxy) {
  auto read = make_read_multiple_properties("c", "s", "t", {"number_prop", "a\"b"});
  CAF_CHECK_EQUAL(read.header.objekt, "_get_properties");
  CAF_CHECK_EQUAL(read.header.operation, op::invoke_action);
  CAF_CHECK(read.payload == R"({"names":["number_prop","a\"b"]})");
  auto write = make_write_multiple_properties("c", "s", "t", R"({ "number_prop": 7 })");
  CAF_REQUIRE(write.has_value());
  CAF_CHECK_EQUAL(write->header.objekt, "_set_properties");
  CAF_CHECK(write->payload == R"({"number_prop":7})");
  auto not_object = make_write_multiple_properties("c", "s", "t", "[7]");
  CAF_REQUIRE(!not_object);
  CAF_CHECK(not_object.error().code == codec_errc::not_object);
  auto not_json = make_write_multiple_properties("c", "s", "t", "{");
  CAF_REQUIRE(!not_json);
  CAF_CHECK(not_json.error().code == codec_errc::not_json);
}

CAF_TEST(only snake_case context keys are honoured and camelCase ones are ignored) {
  auto camel = parse_request_header(header_with(
    R"(,"serverExecutionContext":{"invokationTimeout":5,"executionTimeout":0.5,"oneway":false})"
    R"(,"thingExecutionContext":{"fetchExecutionLogs":true})"));
  CAF_REQUIRE(camel.has_value());
  CAF_CHECK(!camel->server_context.invokation_timeout);
  CAF_CHECK(!camel->server_context.execution_timeout);
  CAF_CHECK(!camel->thing_context.fetch_execution_logs);
  auto snake = parse_request_header(header_with(
    R"(,"serverExecutionContext":{"invokation_timeout":5,"execution_timeout":0.5,"oneway":true})"
    R"(,"thingExecutionContext":{"fetch_execution_logs":true})"));
  CAF_REQUIRE(snake.has_value());
  CAF_CHECK_EQUAL(*snake->server_context.invokation_timeout, 5.0);
  CAF_CHECK_EQUAL(*snake->server_context.execution_timeout, 0.5);
  CAF_CHECK(snake->server_context.oneway);
  CAF_CHECK(snake->thing_context.fetch_execution_logs);
}

CAF_TEST(unknown message types read as OPERATION like on the real server) {
  auto res = parse_request_header(R"({"messageType":"FOO","messageID":"m","senderID":"c",)"
                                  R"("receiverID":"s"})");
  CAF_REQUIRE(res.has_value());
  CAF_CHECK(res->type == message_type::operation);
}

CAF_TEST(objekt may be a string a list or null) {
  auto list = parse_request_header(header_with(R"(,"objekt":["a","b"])"));
  CAF_REQUIRE(list.has_value());
  CAF_CHECK_EQUAL(list->objekt_json, R"(["a","b"])");
  CAF_CHECK_EQUAL(encode(*list).find(R"("objekt":["a","b"])") != std::string::npos, true);
  auto null = parse_request_header(header_with(R"(,"objekt":null)"));
  CAF_REQUIRE(null.has_value());
  CAF_CHECK_EQUAL(null->objekt_json, "null");
  CAF_CHECK(header_error(header_with(R"(,"objekt":5)")).code == codec_errc::wrong_type);
}

CAF_TEST(a request with fewer than three frames is a frame_count error) {
  for (auto frames : {frames_of({}), frames_of({"s"}), frames_of({"s", ""})}) {
    auto res = parse_request(frames);
    CAF_REQUIRE(!res);
    CAF_CHECK(res.error().code == codec_errc::frame_count);
  }
}

CAF_TEST(a request header that is not JSON is a not_json error) {
  const std::string texts[] = {"", "this is not json", "{", R"({"messageType":})",
                               header_with("") + " trailing", header_with("") + "{}",
                               "{\"messageType\":\"\xff\"}", "{'a':1}"};
  for (const auto& text : texts)
    CAF_CHECK(header_error(text).code == codec_errc::not_json);
}

CAF_TEST(a request header that is JSON but not an object is a not_object error) {
  for (std::string text : {"[]", "null", "5", "\"header\"", "true", "[{}]"})
    CAF_CHECK(header_error(text).code == codec_errc::not_object);
}

CAF_TEST(each required request field missing is a missing_field error naming it) {
  const char* fields[] = {"messageType", "messageID", "senderID", "receiverID"};
  for (auto missing : fields) {
    std::string json = "{";
    for (auto field : fields)
      if (field != missing)
        json += std::string{json.size() > 1 ? "," : ""} + "\"" + field + "\":\"x\"";
    json += "}";
    auto err = header_error(json);
    CAF_CHECK(err.code == codec_errc::missing_field);
    CAF_CHECK_NOT_EQUAL(err.what.find(missing), std::string::npos);
  }
}

CAF_TEST(mistyped request fields are wrong_type errors naming field and type) {
  auto err = header_error(R"({"messageType":"OPERATION","messageID":5,"senderID":"c","receiverID":"s"})");
  CAF_CHECK(err.code == codec_errc::wrong_type);
  CAF_CHECK_EQUAL(err.what, R"(request header field "messageID" must be a string, not number)");
  CAF_CHECK(header_error(header_with(R"(,"thingID":null)")).code == codec_errc::wrong_type);
  CAF_CHECK(header_error(header_with(R"(,"serverExecutionContext":[])")).code
            == codec_errc::wrong_type);
  CAF_CHECK(header_error(header_with(R"(,"serverExecutionContext":{"invokation_timeout":"5"})"))
              .code
            == codec_errc::wrong_type);
  CAF_CHECK(header_error(header_with(R"(,"serverExecutionContext":{"oneway":"yes"})")).code
            == codec_errc::wrong_type);
  CAF_CHECK(header_error(header_with(R"(,"thingExecutionContext":{"fetch_execution_logs":1})"))
              .code
            == codec_errc::wrong_type);
  CAF_CHECK(header_error(R"({"messageType":1,"messageID":"m","senderID":"c","receiverID":"s"})")
              .code
            == codec_errc::wrong_type);
}

CAF_TEST(an unknown request header key is an unknown_field error like on the real server) {
  auto err = header_error(header_with(R"(,"foo":"bar")"));
  CAF_CHECK(err.code == codec_errc::unknown_field);
  CAF_CHECK_EQUAL(err.what, R"(request header has unknown field "foo")");
  // Hostile keys are quoted and cut in the message.
  auto long_key = header_error(header_with(",\"" + std::string(10000, 'k') + "\":1"));
  CAF_CHECK(long_key.code == codec_errc::unknown_field);
  CAF_CHECK_LESS(long_key.what.size(), 200u);
}

CAF_TEST(negative timeouts and duplicate fields are bad_value errors) {
  CAF_CHECK(header_error(header_with(R"(,"serverExecutionContext":{"execution_timeout":-1})"))
              .code
            == codec_errc::bad_value);
  auto dup = header_error(header_with(R"(,"messageID":"other")"));
  CAF_CHECK(dup.code == codec_errc::bad_value);
  CAF_CHECK_NOT_EQUAL(dup.what.find("twice"), std::string::npos);
  CAF_CHECK(header_error(header_with(R"(,"serverExecutionContext":{"oneway":true,"oneway":false})"))
              .code
            == codec_errc::bad_value);
}

CAF_TEST(deeply nested values are rejected or accepted without exhausting the stack) {
  std::string deep(200000, '[');
  deep += std::string(200000, ']');
  // Nested inside a context the server ignores: valid, and kept verbatim.
  auto res = parse_request_header(header_with(R"(,"serverExecutionContext":{"x":)" + deep + "}"));
  CAF_REQUIRE(res.has_value());
  CAF_CHECK_EQUAL(res->server_context_json.size(), deep.size() + 6);
  CAF_CHECK(header_error(deep).code == codec_errc::not_object);
  CAF_CHECK(header_error(header_with(R"(,"objekt":)" + deep.substr(0, 200000))).code
            == codec_errc::not_json);
}

CAF_TEST(string escapes decode to UTF-8 including surrogate pairs) {
  auto thing_of = [](const std::string& literal) {
    auto res = parse_request_header(header_with(",\"thingID\":" + literal));
    if (!res)
      CAF_FAIL(res.error().to_string());
    return res->thing_id;
  };
  CAF_CHECK_EQUAL(thing_of(R"("\u00fc\/\"\\")"), "ü/\"\\");
  CAF_CHECK_EQUAL(thing_of(R"("\ud83d\ude00")"), "\xF0\x9F\x98\x80");
  CAF_CHECK_EQUAL(thing_of(R"("a\u0000b")"), std::string("a\0b", 3));
  CAF_CHECK_EQUAL(thing_of("\"\xF0\x9F\x98\x80 \xE2\x82\xAC\""), "\xF0\x9F\x98\x80 \xE2\x82\xAC");
}

CAF_TEST(malformed strings numbers and literals are not_json errors) {
  const char* strings[] = {
    R"("\ud83d")",          R"("\ude00")",       R"("\ud83d\u0041")", R"("\u12")",
    R"("\x")",              "\"\xC0\x80\"",      "\"\xED\xA0\x80\"",  "\"\xF4\x90\x80\x80\"",
    "\"\xF5\x80\x80\x80\"", "\"\xE2\x82\"",      "\"\x80\"",          "\"tab\there\"",
    "\"unterminated",       R"("\)",
  };
  for (auto literal : strings)
    CAF_CHECK(header_error(header_with(std::string{",\"thingID\":"} + literal)).code
              == codec_errc::not_json);
  const char* numbers[] = {"01", "1.", ".5", "-", "1e", "+1", "1e400", "NaN", "Infinity", "0x10",
                           "1.5e+"};
  for (auto number : numbers)
    CAF_CHECK(header_error(header_with(std::string{R"(,"serverExecutionContext":{"x":)"} + number
                                       + "}"))
                .code
              == codec_errc::not_json);
  for (auto literal : {"tru", "nul", "falsey", "True"})
    CAF_CHECK(header_error(header_with(std::string{R"(,"serverExecutionContext":{"x":)"}
                                       + literal + "}"))
                .code
              == codec_errc::not_json);
  CAF_CHECK(header_error(R"({"messageType" "OPERATION"})").code == codec_errc::not_json);
  CAF_CHECK(header_error(R"({"a":1,})").code == codec_errc::not_json);
  CAF_CHECK(header_error(R"({"a":[1,]})").code == codec_errc::not_json);
  CAF_CHECK(header_error(R"({,})").code == codec_errc::not_json);
  CAF_CHECK(header_error(R"({"a":1 "b":2})").code == codec_errc::not_json);
}

CAF_TEST(numbers in any JSON form are accepted and tiny ones round to zero like in Python) {
  for (auto [text, value] : {std::pair{"5", 5.0}, std::pair{"0.5", 0.5}, std::pair{"-0", 0.0},
                             std::pair{"1E2", 100.0}, std::pair{"2.5e-1", 0.25},
                             std::pair{"1e-400", 0.0}}) {
    auto res = parse_request_header(header_with(
      std::string{R"(,"serverExecutionContext":{"execution_timeout":)"} + text + "}"));
    if (!res)
      CAF_FAIL(text << ": " << res.error().to_string());
    CAF_CHECK_EQUAL(*res->server_context.execution_timeout, value);
  }
}

CAF_TEST(escaped member names mean the same as plain ones) {
  auto res = parse_request_header(header_with(
    R"(,"serverE\u0078ecutionContext":{"invokation_\u0074imeout":2,"\u006fneway":true})"
    R"(,"thing\u0049D":"t")"));
  if (!res)
    CAF_FAIL(res.error().to_string());
  CAF_CHECK_EQUAL(*res->server_context.invokation_timeout, 2.0);
  CAF_CHECK(res->server_context.oneway);
  CAF_CHECK_EQUAL(res->thing_id, "t");
  // An escaped spelling of a known field still counts as that field.
  CAF_CHECK(header_error(header_with(R"(,"m\u0065ssageID":"again")")).code
            == codec_errc::bad_value);
}

CAF_TEST(a list or null objekt is set verbatim and anything else is refused) {
  auto req = make_operation("golden-raw-client-ipc", "test-thing", "test-thing", "ignored",
                            op::read_multiple_properties);
  // Kept byte for byte (spaces included): the broker forwards what it got.
  CAF_CHECK(!set_objekt_json(req.header, R"([ "number_prop", "string_prop" ])"));
  CAF_CHECK_EQUAL(req.header.objekt, "");
  CAF_CHECK_EQUAL(req.header.objekt_json, R"([ "number_prop", "string_prop" ])");
  auto text = encode(req.header);
  CAF_CHECK(text.find(R"(,"objekt":[ "number_prop", "string_prop" ],"operation":)")
            != std::string::npos);
  auto back = parse_request_header(text);
  CAF_REQUIRE(back.has_value());
  CAF_CHECK_EQUAL(back->objekt_json, req.header.objekt_json);
  CAF_CHECK(!set_objekt_json(req.header, "null"));
  CAF_CHECK_EQUAL(req.header.objekt_json, "null");
  // Empty: nothing to set, the string objekt stays.
  auto plain = make_operation("c", "s", "t", "name", op::read_property);
  CAF_CHECK(!set_objekt_json(plain.header, ""));
  CAF_CHECK_EQUAL(encode(plain.header).find(R"("objekt":"name")") != std::string::npos, true);
  for (std::string_view bad : {R"("name")", "5", "{}", "[1,", "nul", "[] []"}) {
    auto copy = req;
    auto err = set_objekt_json(copy.header, bad);
    CAF_REQUIRE(err);
    CAF_MESSAGE(bad << ": " << err->to_string());
    CAF_CHECK(err->to_string().find("objekt") != std::string::npos);
    CAF_CHECK_EQUAL(copy.header.objekt_json, "null"); // unchanged
  }
}
