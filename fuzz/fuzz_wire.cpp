// libFuzzer target for the hololinked wire codec. The input is split into
// frames at every 0xFF byte (a byte that never occurs in UTF-8, so every valid
// header can still be expressed); every parser runs on the frames and on each
// frame alone. Besides "no crash, no UB, no exception", whatever parses must
// survive a round trip through our encoders unchanged.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "holobroker/wire/event.hpp"
#include "holobroker/wire/remote_exception.hpp"
#include "holobroker/wire/request.hpp"
#include "holobroker/wire/requests.hpp"
#include "holobroker/wire/response.hpp"
#include "holobroker/wire/timeout.hpp"
#include "cpu_budget.hpp"
#include "json_oracle.hpp"
#include "json_reader.hpp" // the codec's private JSON reader, checked differentially

using namespace holobroker::wire;

namespace {

constexpr char frame_separator = '\xff';

// An oracle violation: crash so that libFuzzer saves the input.
void require(bool condition) {
  if (!condition)
    std::abort();
}

// Each frame is a buffer of its own (as libzmq hands them over), so that
// ASan sees a read past one frame's end instead of into the next frame.
multipart split_frames(std::string_view input) {
  multipart frames;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= input.size(); ++i) {
    if (i == input.size() || input[i] == frame_separator) {
      frames.push_back(shared_bytes::copy_of(input.substr(start, i - start)));
      start = i + 1;
    }
  }
  return frames;
}

void check_request(const multipart& frames) {
  auto req = parse_request(frames);
  if (!req)
    return;
  require(req->frame_count == frames.size());
  auto text = encode(req->header);
  auto again = parse_request_header(text);
  require(again.has_value());
  require(encode(*again) == text);
  auto crafted = craft_request("server", *req);
  require(crafted.size() == message_frame_count);
  require(crafted[3].data() == req->payload.data());
}

void check_response(const multipart& frames) {
  auto res = parse_response(frames);
  if (!res)
    return;
  auto text = encode(res->header);
  auto again = parse_response_header(text);
  require(again.has_value());
  require(encode(*again) == text);
  require(craft_response(*res)[3].data() == frames[3].data());
}

void check_event(const multipart& frames) {
  auto ev = parse_event(frames);
  if (!ev)
    return;
  auto again = parse_event(craft_event(*ev));
  require(again.has_value());
  require(again->topic == ev->topic);
  require(encode(again->header) == encode(ev->header));
}

void check_exception(std::string_view json) {
  auto ex = parse_remote_exception(json);
  if (!ex)
    return;
  auto again = parse_remote_exception(to_json(*ex));
  require(again.has_value());
  // Structured notes come back as their JSON text, as a string: compare the
  // rest, and the notes after one more round.
  require(again->message == ex->message && again->type == ex->type
          && again->traceback == ex->traceback && again->notes == ex->notes);
}

struct accept_all {
  bool begin_container(detail::json_event_kind, int, std::size_t) { return true; }
  bool end_container(detail::json_event_kind, int, std::size_t, std::size_t) { return true; }
  bool key(int, std::string_view) { return true; }
  bool scalar(const detail::json_scalar&) { return true; }
};

// Our reader accepts exactly the RFC 8259 documents nlohmann accepts, except
// numbers beyond the range of a double, which have no value for us.
void check_json_reader(std::string_view text) {
  accept_all handler;
  auto ours = detail::json_reader{text}.read(handler);
  // A raw NUL byte is never valid JSON, but nlohmann stops reading at one
  // (its end-of-C-string convention), so it is no reference there.
  if (text.find('\0') != std::string_view::npos) {
    require(!ours.ok);
    return;
  }
  bool theirs = holobroker::fuzz::reference_json_accepts(text);
  if (ours.ok)
    require(theirs);
  else if (theirs)
    require(ours.error.reason == "number out of the range of a double");
}

void check_single_frame(std::string_view frame) {
  check_json_reader(frame);
  if (auto h = parse_request_header(frame); h)
    require(parse_request_header(encode(*h)).has_value());
  if (auto h = parse_response_header(frame); h)
    require(parse_response_header(encode(*h)).has_value());
  if (auto h = parse_event_header(frame); h)
    require(parse_event_header(encode(*h)).has_value());
  check_exception(frame);
  if (auto kind = parse_timeout_payload(frame); kind)
    require(*parse_timeout_payload(to_json(*kind)) == *kind);
}

void check_builders(const multipart& frames) {
  // kwargs from frame 0, positional arguments from the others: compaction is
  // idempotent and the result is an object.
  std::vector<std::string> positional;
  for (std::size_t i = 1; i < frames.size() && i < 8; ++i)
    positional.push_back(frames[i].to_string());
  if (auto args = action_arguments(frames[0].view(), positional); args) {
    require(!args->empty() && args->front() == '{' && args->back() == '}');
    auto again = action_arguments(*args);
    require(again.has_value() && *again == *args);
  }
  if (auto req = make_write_multiple_properties("c", "s", "t", frames[0].view()); req)
    require(req->payload.view().front() == '{');
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  holobroker::fuzz::cpu_budget budget;
  std::string_view input{reinterpret_cast<const char*>(data), size};
  auto frames = split_frames(input);
  check_request(frames);
  check_response(frames);
  check_event(frames);
  for (const auto& frame : frames)
    check_single_frame(frame.view());
  check_builders(frames);
  return 0;
}
