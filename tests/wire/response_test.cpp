// Server -> client replies and events, exception and TIMEOUT payloads:
// what parses, what is tolerated, and the error for everything else.
#define CAF_SUITE wire.response
#include <caf/test/unit_test.hpp>

#include <string>

#include "holobroker/wire/event.hpp"
#include "holobroker/wire/remote_exception.hpp"
#include "holobroker/wire/request.hpp"
#include "holobroker/wire/requests.hpp"
#include "holobroker/wire/response.hpp"
#include "holobroker/wire/timeout.hpp"

using namespace holobroker::wire;

namespace {

multipart frames_of(std::initializer_list<std::string_view> texts) {
  multipart frames;
  for (auto text : texts)
    frames.push_back(shared_bytes::copy_of(text));
  return frames;
}

template <class Result>
codec_errc error_code(const Result& res) {
  if (res.has_value())
    CAF_FAIL("parsed but should not");
  CAF_MESSAGE(res.error().to_string());
  return res.error().code;
}

constexpr std::string_view reply_header
  = R"({"messageType":"REPLY","messageID":"m","receiverID":"c","senderID":"s",)"
    R"("payloadContentType":"application/json","preencodedPayloadContentType":"text/plain"})";

constexpr std::string_view event_header_text
  = R"({"messageType":"EVENT","messageID":"m","senderID":"t/event-publisher",)"
    R"("eventID":"t/e","payloadContentType":"application/json",)"
    R"("preencodedPayloadContentType":"text/plain"})";

} // namespace

CAF_TEST(a response copies message id and receiver from the request it answers) {
  auto req = make_operation("client-1", "srv", "t", "p", op::read_property);
  auto res = make_response(message_type::reply, req.header, "srv",
                           shared_bytes::copy_of("5"));
  res.routing_id = shared_bytes::copy_of("client-1");
  CAF_CHECK_EQUAL(res.header.message_id, req.header.message_id);
  CAF_CHECK_EQUAL(res.header.receiver_id, "client-1");
  CAF_CHECK_EQUAL(res.header.sender_id, "srv");
  auto frames = craft_response(res);
  CAF_REQUIRE_EQUAL(frames.size(), 5u);
  CAF_CHECK(frames[0] == "client-1");
  CAF_CHECK(frames[1].empty());
  // The client ROUTER sees the server id in frame 0.
  frames[0] = shared_bytes::copy_of("srv");
  auto back = parse_response(frames);
  CAF_REQUIRE(back.has_value());
  CAF_CHECK(back->header.type == message_type::reply);
  CAF_CHECK_EQUAL(back->header.message_id, req.header.message_id);
  CAF_CHECK(back->payload == "5");
  CAF_CHECK_EQUAL(encode(back->header), encode(res.header));
}

CAF_TEST(replies tolerate unknown extra fields) {
  auto res = parse_response_header(
    R"({"messageType":"TIMEOUT","messageID":"m","future":{"x":[1,2]},"n":null})");
  CAF_REQUIRE(res.has_value());
  CAF_CHECK(res->type == message_type::timeout);
  CAF_CHECK_EQUAL(res->payload_content_type, json_content_type);
}

CAF_TEST(a reply that is not five frames is a frame_count error) {
  CAF_CHECK(error_code(parse_response(frames_of({"s", "", reply_header, "null"})))
            == codec_errc::frame_count);
  CAF_CHECK(error_code(parse_response(frames_of({"s", "", reply_header, "null", "", ""})))
            == codec_errc::frame_count);
  CAF_CHECK(error_code(parse_response({})) == codec_errc::frame_count);
}

CAF_TEST(reply header errors name what is wrong) {
  CAF_CHECK(error_code(parse_response_header("{")) == codec_errc::not_json);
  CAF_CHECK(error_code(parse_response_header("[]")) == codec_errc::not_object);
  CAF_CHECK(error_code(parse_response_header(R"({"messageID":"m"})"))
            == codec_errc::missing_field);
  CAF_CHECK(error_code(parse_response_header(R"({"messageType":"REPLY"})"))
            == codec_errc::missing_field);
  CAF_CHECK(error_code(parse_response_header(R"({"messageType":"REPLY","messageID":null})"))
            == codec_errc::wrong_type);
  CAF_CHECK(error_code(parse_response_header(
              R"({"messageType":"REPLY","messageID":"m","senderID":["s"]})"))
            == codec_errc::wrong_type);
  // Request-only and unknown types are not replies.
  for (std::string_view type : {"OPERATION", "EXIT", "EVENT", "ERROR", "reply"}) {
    std::string json = R"({"messageType":")";
    json.append(type);
    json.append(R"(","messageID":"m"})");
    CAF_CHECK(error_code(parse_response_header(json)) == codec_errc::bad_value);
  }
  CAF_CHECK(error_code(parse_response_header(
              R"({"messageType":"REPLY","messageID":"m","messageID":"n"})"))
            == codec_errc::bad_value);
}

CAF_TEST(every reply type parses) {
  auto req = make_handshake("c", "s");
  for (auto type : {message_type::handshake, message_type::reply, message_type::exception,
                    message_type::invalid_message, message_type::timeout}) {
    auto back = parse_response_header(encode(make_response(type, req.header, "s").header));
    CAF_REQUIRE(back.has_value());
    CAF_CHECK(back->type == type);
  }
}

CAF_TEST(events carry the topic in frame 0 and round trip) {
  auto ev = make_event("srv", "thing", "temperature", shared_bytes::copy_of("21.5"));
  CAF_CHECK_EQUAL(ev.topic, "thing/temperature");
  CAF_CHECK_EQUAL(ev.header.event_id, "thing/temperature");
  CAF_CHECK_EQUAL(ev.header.sender_id, "srv/event-publisher");
  auto frames = craft_event(ev);
  CAF_REQUIRE_EQUAL(frames.size(), 5u);
  CAF_CHECK(frames[0] == "thing/temperature");
  auto back = parse_event(frames);
  CAF_REQUIRE(back.has_value());
  CAF_CHECK_EQUAL(back->topic, ev.topic);
  CAF_CHECK_EQUAL(back->header.message_id, ev.header.message_id);
  CAF_CHECK(back->payload == "21.5");
}

CAF_TEST(event errors name what is wrong) {
  CAF_CHECK(error_code(parse_event(frames_of({"t/e", "", event_header_text, "null"})))
            == codec_errc::frame_count);
  // A prefix match of the subscription is not this event.
  CAF_CHECK(error_code(parse_event(frames_of({"t/e_other", "", event_header_text, "null", ""})))
            == codec_errc::bad_value);
  CAF_CHECK(error_code(parse_event_header(R"({"messageType":"REPLY","messageID":"m"})"))
            == codec_errc::bad_value);
  CAF_CHECK(error_code(parse_event_header(R"({"messageID":"m"})"))
            == codec_errc::missing_field);
  CAF_CHECK(error_code(parse_event_header(R"({"messageType":"EVENT"})"))
            == codec_errc::missing_field);
  CAF_CHECK(error_code(parse_event_header(R"({"messageType":"EVENT","messageID":"m","eventID":1})"))
            == codec_errc::wrong_type);
  CAF_CHECK(error_code(parse_event_header("nope")) == codec_errc::not_json);
  CAF_CHECK(error_code(parse_event_header("\"EVENT\"")) == codec_errc::not_object);
  // Extra fields are tolerated.
  CAF_CHECK(parse_event_header(R"({"messageType":"EVENT","messageID":"m","x":1})").has_value());
}

CAF_TEST(subscription messages are 0x01 or 0x00 followed by the topic) {
  CAF_CHECK_EQUAL(subscription_message("t/e"), std::string{"\x01t/e"});
  CAF_CHECK_EQUAL(subscription_message("t/e", false), std::string("\x00t/e", 4));
}

CAF_TEST(exception payloads parse with optional traceback and notes) {
  auto minimal = parse_remote_exception(R"({"exception":{"message":"m","type":"KeyError"}})");
  CAF_REQUIRE(minimal.has_value());
  CAF_CHECK_EQUAL(minimal->message, "m");
  CAF_CHECK_EQUAL(minimal->type, "KeyError");
  CAF_CHECK(minimal->traceback.empty());
  CAF_CHECK(!minimal->notes);
  auto full = parse_remote_exception(
    R"({"exception":{"message":"m","type":"T","traceback":["a","b"],"notes":"n","x":1},"y":2})");
  CAF_REQUIRE(full.has_value());
  CAF_CHECK(full->traceback == (std::vector<std::string>{"a", "b"}));
  CAF_CHECK_EQUAL(*full->notes, "n");
  // Structured notes are kept as their JSON text.
  auto structured = parse_remote_exception(
    R"({"exception":{"message":"m","type":"T","traceback":null,"notes":["x", 1]}})");
  CAF_REQUIRE(structured.has_value());
  CAF_CHECK_EQUAL(*structured->notes, R"(["x", 1])");
}

CAF_TEST(exception payload errors name what is wrong) {
  CAF_CHECK(error_code(parse_remote_exception("")) == codec_errc::not_json);
  CAF_CHECK(error_code(parse_remote_exception("null")) == codec_errc::not_object);
  CAF_CHECK(error_code(parse_remote_exception("{}")) == codec_errc::missing_field);
  CAF_CHECK(error_code(parse_remote_exception(R"({"exception":"boom"})"))
            == codec_errc::wrong_type);
  CAF_CHECK(error_code(parse_remote_exception(R"({"exception":{"type":"T"}})"))
            == codec_errc::missing_field);
  CAF_CHECK(error_code(parse_remote_exception(R"({"exception":{"message":"m"}})"))
            == codec_errc::missing_field);
  CAF_CHECK(error_code(parse_remote_exception(R"({"exception":{"message":1,"type":"T"}})"))
            == codec_errc::wrong_type);
  CAF_CHECK(error_code(parse_remote_exception(
              R"({"exception":{"message":"m","type":"T","traceback":["a",2]}})"))
            == codec_errc::wrong_type);
  CAF_CHECK(error_code(parse_remote_exception(
              R"({"exception":{"message":"m","type":"T","traceback":[["a"]]}})"))
            == codec_errc::wrong_type);
  CAF_CHECK(error_code(parse_remote_exception(
              R"({"exception":{"message":"m","type":"T","traceback":"a"}})"))
            == codec_errc::wrong_type);
  CAF_CHECK(error_code(parse_remote_exception(
              R"({"exception":{"message":"m","message":"n","type":"T"}})"))
            == codec_errc::bad_value);
}

CAF_TEST(TIMEOUT payloads are the JSON strings invokation or execution) {
  CAF_CHECK(*parse_timeout_payload(R"("invokation")") == timeout_kind::invokation);
  CAF_CHECK(*parse_timeout_payload(R"( "execution" )") == timeout_kind::execution);
  CAF_CHECK_EQUAL(to_json(timeout_kind::invokation), R"("invokation")");
  CAF_CHECK_EQUAL(to_json(timeout_kind::execution), R"("execution")");
  CAF_CHECK(error_code(parse_timeout_payload(R"("invocation")")) == codec_errc::bad_value);
  CAF_CHECK(error_code(parse_timeout_payload("5")) == codec_errc::wrong_type);
  CAF_CHECK(error_code(parse_timeout_payload(R"(["execution"])")) == codec_errc::wrong_type);
  CAF_CHECK(error_code(parse_timeout_payload("")) == codec_errc::not_json);
  CAF_CHECK(error_code(parse_timeout_payload(R"("execution" "x")")) == codec_errc::not_json);
}

CAF_TEST(codec errors print their code and what) {
  codec_error err{codec_errc::missing_field, R"(request header has no "messageID")"};
  CAF_CHECK_EQUAL(err.to_string(), R"(missing_field: request header has no "messageID")");
  CAF_CHECK_EQUAL(to_string(codec_errc::frame_count), "frame_count");
  CAF_CHECK_EQUAL(to_string(codec_errc::not_json), "not_json");
  CAF_CHECK_EQUAL(to_string(codec_errc::not_object), "not_object");
  CAF_CHECK_EQUAL(to_string(codec_errc::wrong_type), "wrong_type");
  CAF_CHECK_EQUAL(to_string(codec_errc::unknown_field), "unknown_field");
  CAF_CHECK_EQUAL(to_string(codec_errc::bad_value), "bad_value");
}
