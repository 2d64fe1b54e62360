// Google Benchmark of the hololinked wire codec: header encode/decode of a
// typical request and reply (goal: encode + decode < 1 us), whole-message
// craft/parse, and the same with payloads from 0 B to 1 MiB to show that the
// cost does not depend on the payload size (payload frames are shared, never
// copied or re-encoded).

#include <string>

#include <benchmark/benchmark.h>

#include "holobroker/wire/request.hpp"
#include "holobroker/wire/requests.hpp"
#include "holobroker/wire/response.hpp"

namespace wire = holobroker::wire;

namespace {

// What an ObjectProxy sends for `proxy.number_prop` and what comes back.
constexpr std::string_view client_id = "test-thing|test-thing|IPC|d28cd3bd|sync";
constexpr std::string_view server_id = "test-thing";

wire::request typical_request(wire::shared_bytes payload = wire::null_payload()) {
  return wire::make_operation(client_id, server_id, "test-thing", "number_prop",
                              wire::op::read_property, std::move(payload));
}

wire::response typical_response(const wire::request& req,
                                wire::shared_bytes payload = wire::shared_bytes::copy_of("1.5")) {
  auto res = wire::make_response(wire::message_type::reply, req.header, server_id,
                                 std::move(payload));
  res.routing_id = wire::shared_bytes::copy_of(client_id);
  return res;
}

void BM_request_header_encode(benchmark::State& state) {
  auto req = typical_request();
  for (auto _ : state)
    benchmark::DoNotOptimize(wire::encode(req.header));
}
BENCHMARK(BM_request_header_encode);

void BM_request_header_decode(benchmark::State& state) {
  auto text = wire::encode(typical_request().header);
  for (auto _ : state)
    benchmark::DoNotOptimize(wire::parse_request_header(text));
}
BENCHMARK(BM_request_header_decode);

void BM_request_header_encode_decode(benchmark::State& state) {
  auto req = typical_request();
  for (auto _ : state)
    benchmark::DoNotOptimize(wire::parse_request_header(wire::encode(req.header)));
}
BENCHMARK(BM_request_header_encode_decode);

void BM_response_header_encode_decode(benchmark::State& state) {
  auto res = typical_response(typical_request());
  for (auto _ : state)
    benchmark::DoNotOptimize(wire::parse_response_header(wire::encode(res.header)));
}
BENCHMARK(BM_response_header_encode_decode);

// Client: build a readproperty (fresh UUID4) and craft its frames.
void BM_request_make_and_craft(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(wire::craft_request(server_id, typical_request()));
}
BENCHMARK(BM_request_make_and_craft);

// The whole request/reply exchange as seen by the codec: client crafts,
// server parses and answers, client parses the reply.
void BM_request_reply_codec_path(benchmark::State& state) {
  auto reply_payload = wire::shared_bytes::copy_of("1.5");
  for (auto _ : state) {
    auto frames = wire::craft_request(server_id, typical_request());
    frames[0] = wire::shared_bytes::copy_of(client_id); // the server's view
    auto req = wire::parse_request(frames);
    auto reply = wire::craft_response(typical_response(*req, reply_payload));
    reply[0] = wire::shared_bytes::copy_of(server_id); // the client's view
    benchmark::DoNotOptimize(wire::parse_response(reply));
  }
}
BENCHMARK(BM_request_reply_codec_path);

// Craft + parse of a writeproperty with a payload of state.range(0) bytes:
// flat in the payload size because the payload frame is shared.
void BM_payload_craft_parse(benchmark::State& state) {
  auto size = static_cast<std::size_t>(state.range(0));
  std::string json = "\"" + std::string(size > 2 ? size - 2 : 0, 'x') + "\"";
  auto payload = wire::shared_bytes::from_string(std::move(json));
  auto req = wire::make_operation(client_id, server_id, "test-thing", "blob",
                                  wire::op::write_property, payload);
  for (auto _ : state) {
    auto frames = wire::craft_request(server_id, req);
    auto parsed = wire::parse_request(frames);
    if (!parsed || parsed->payload.data() != payload.data())
      state.SkipWithError("payload was copied");
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_payload_craft_parse)->Arg(0)->Arg(1024)->Arg(1 << 20);

} // namespace

BENCHMARK_MAIN();
