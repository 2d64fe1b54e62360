// Payload frames travel through craft and parse as shared buffers: a 1 MiB
// payload is never copied or re-encoded by the codec.
#define CAF_SUITE wire.zero_copy
#include <caf/test/unit_test.hpp>

#include <string>

#include "holobroker/wire/event.hpp"
#include "holobroker/wire/request.hpp"
#include "holobroker/wire/requests.hpp"
#include "holobroker/wire/response.hpp"

using namespace holobroker::wire;

namespace {

shared_bytes one_mib_payload() {
  std::string json = "\"" + std::string(1024 * 1024 - 2, 'x') + "\"";
  return shared_bytes::from_string(std::move(json));
}

} // namespace

CAF_TEST(a 1 MiB request payload keeps its buffer through craft and parse) {
  auto payload = one_mib_payload();
  auto preserialized = shared_bytes::from_string(std::string(1024 * 1024, '\x01'));
  auto req = make_operation("c", "s", "t", "p", op::write_property, payload,
                            default_operation_context(), {}, preserialized);
  CAF_CHECK_EQUAL(req.payload.data(), payload.data());
  auto frames = craft_request("s", req);
  CAF_CHECK_EQUAL(frames[3].data(), payload.data());
  CAF_CHECK_EQUAL(frames[4].data(), preserialized.data());
  // Same owner: the frame shares the buffer, it does not own a copy.
  CAF_CHECK(frames[3].owner() == payload.owner());
  auto parsed = parse_request(frames);
  CAF_REQUIRE(parsed.has_value());
  CAF_CHECK_EQUAL(parsed->payload.data(), payload.data());
  CAF_CHECK_EQUAL(parsed->payload.size(), payload.size());
  CAF_CHECK_EQUAL(parsed->preserialized.data(), preserialized.data());
  CAF_CHECK(parsed->payload.owner() == payload.owner());
}

CAF_TEST(a 1 MiB reply payload keeps its buffer through craft and parse) {
  auto payload = one_mib_payload();
  auto req = make_operation("c", "s", "t", "p", op::read_property);
  auto res = make_response(message_type::reply, req.header, "s", payload);
  res.routing_id = shared_bytes::copy_of("c");
  auto frames = craft_response(res);
  CAF_CHECK_EQUAL(frames[3].data(), payload.data());
  auto parsed = parse_response(frames);
  CAF_REQUIRE(parsed.has_value());
  CAF_CHECK_EQUAL(parsed->payload.data(), payload.data());
  CAF_CHECK(parsed->payload.owner() == payload.owner());
  // A proxy forwarding the reply crafts it again: still the same buffer.
  auto forwarded = craft_response(*parsed);
  CAF_CHECK_EQUAL(forwarded[3].data(), payload.data());
}

CAF_TEST(a 1 MiB event payload keeps its buffer through craft and parse) {
  auto payload = one_mib_payload();
  auto frames = craft_event(make_event("s", "t", "e", payload));
  CAF_CHECK_EQUAL(frames[3].data(), payload.data());
  auto parsed = parse_event(frames);
  CAF_REQUIRE(parsed.has_value());
  CAF_CHECK_EQUAL(parsed->payload.data(), payload.data());
}

CAF_TEST(no payload is the shared four byte null literal) {
  auto req = make_operation("c", "s", "t", "p", op::read_property);
  CAF_CHECK(req.payload == "null");
  CAF_CHECK_EQUAL(req.payload.data(), null_payload().data());
  CAF_CHECK_EQUAL(craft_request("s", req)[3].data(), null_payload().data());
}
