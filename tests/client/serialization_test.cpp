#define CAF_SUITE serialization
#include <caf/test/dsl.hpp>

#include "actor_fixture.hpp"

using namespace holobroker;
using namespace holobroker::client;


// roundtrip() is the fixture's: binary serialization as the middleman does it.
CAF_TEST_FIXTURE_SCOPE(serialization_tests, holobroker::test::client_fixture)

CAF_TEST(operation requests keep payload bytes options and deadline) {
  auto req = invoke_action("spectrometer", "echo", wire::shared_bytes::copy_of(R"({"a":1})"));
  req.preserialized = wire::shared_bytes::copy_of(std::string("\0\1\2", 3));
  req.options.deadline = std::chrono::milliseconds{1500};
  req.options.server_context.execution_timeout.reset();
  req.options.thing_context.fetch_execution_logs = true;
  req.objekt_json = R"(["a","b"])";
  req.payload_content_type = "application/msgpack";
  req.preencoded_payload_content_type = "application/octet-stream";
  auto out = roundtrip(req);
  CAF_CHECK_EQUAL(out.objekt_json, R"(["a","b"])");
  CAF_CHECK_EQUAL(out.payload_content_type, "application/msgpack");
  CAF_CHECK_EQUAL(out.preencoded_payload_content_type, "application/octet-stream");
  CAF_CHECK_EQUAL(out.thing_id, "spectrometer");
  CAF_CHECK_EQUAL(out.operation, "invokeaction");
  CAF_CHECK_EQUAL(out.payload.view(), R"({"a":1})");
  CAF_CHECK_EQUAL(out.preserialized.size(), 3u);
  CAF_CHECK(out.options.deadline == caf::timespan{std::chrono::milliseconds{1500}});
  CAF_CHECK(out.options.server_context.invokation_timeout == 5.0);
  CAF_CHECK(!out.options.server_context.execution_timeout);
  CAF_CHECK(out.options.thing_context.fetch_execution_logs);
  req.options.deadline.reset();
  CAF_CHECK(!roundtrip(req).options.deadline);
}

CAF_TEST(events and remote exception errors survive serialization) {
  auto ev = wire::make_event("thing-sim", "spectrometer", "measurement",
                             wire::shared_bytes::copy_of("[1,2]"));
  auto out = roundtrip(ev);
  CAF_CHECK_EQUAL(out.topic, "spectrometer/measurement");
  CAF_CHECK_EQUAL(out.header.message_id, ev.header.message_id);
  CAF_CHECK_EQUAL(out.payload.view(), "[1,2]");
  wire::remote_exception ex{"boom", "ValueError", {"Traceback", "line"}, std::nullopt};
  auto err = roundtrip(make_error(client_errc::remote_exception, "failed", ex));
  CAF_CHECK(client_errc_of(err) == client_errc::remote_exception);
  auto back = remote_exception_of(err);
  CAF_REQUIRE(back);
  CAF_CHECK(*back == ex);
  CAF_CHECK_EQUAL(describe(err), "remote_exception: ValueError: boom");
}

CAF_TEST(errors render through the registered category) {
  auto text = sys.render(make_error(client_errc::busy, "1024 requests in flight"));
  CAF_CHECK(text.find("busy") != std::string::npos);
  CAF_CHECK(text.find("1024 requests in flight") != std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
