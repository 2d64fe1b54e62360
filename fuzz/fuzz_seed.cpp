// Writes the frames of every golden capture into a libFuzzer corpus
// directory, joined by the 0xFF frame separator fuzz_wire splits at, plus each
// header and payload frame on its own. Run at fuzz time so that no copy of
// the captures is kept in the repository.
//
// usage: fuzz_seed OUT_DIR              seeds of fuzz_wire
//        fuzz_seed --frontend OUT_DIR   seeds of fuzz_frontend (frontend_input.hpp):
//                                       each capture's client messages as the
//                                       broker's ROUTER receives them, one input per
//                                       capture and per message, plus requests the
//                                       fake Thing answers in each of its ways
// (captures from $HOLOBROKER_GOLDEN_DIR or the directory configured in CMake)

#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

#include "frontend_input.hpp"
#include "holobroker/wire/request.hpp"
#include "holobroker/wire/requests.hpp"
#include "support/golden.hpp"

namespace {

void write_seed(const std::filesystem::path& dir, const std::string& name,
                const std::string& bytes) {
  std::ofstream out{dir / name, std::ios::binary};
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

using holobroker::fuzz::frontend_input;
using holobroker::fuzz::frontend_message;

frontend_message as_received(const holobroker::wire::multipart& frames, std::string identity,
                             std::uint8_t user = 0, std::uint8_t steps = 0) {
  frontend_message m;
  m.user = user;
  m.steps = steps;
  for (const auto& f : frames)
    m.frames.emplace_back(f.view());
  if (!m.frames.empty())
    m.frames[0] = std::move(identity); // the ROUTER's view: the client's identity
  return m;
}

frontend_message request(const std::string& client, const std::string& thing,
                         const std::string& objekt, std::string_view operation,
                         std::uint8_t user = 0, bool oneway = false,
                         std::string payload = "null") {
  using namespace holobroker::wire;
  auto ctx = default_operation_context();
  ctx.oneway = oneway;
  auto req = make_operation(client, "holobroker", thing, objekt, operation,
                            shared_bytes::from_string(std::move(payload)), ctx);
  return as_received(craft_request("holobroker", req), client, user);
}

std::size_t seed_frontend(const std::filesystem::path& out) {
  namespace op = holobroker::wire::op;
  std::size_t seeds = 0;
  auto write = [&](const std::string& name, const frontend_input& in) {
    write_seed(out, name, holobroker::fuzz::encode_frontend_input(in));
    ++seeds;
  };
  for (const auto& cap : holobroker::test::load_all_golden()) {
    auto stem = std::filesystem::path{cap.file}.stem().string();
    frontend_input whole;
    std::size_t m = 0;
    for (const auto& msg : cap.messages) {
      if (msg.dir != holobroker::test::direction::client_to_server || msg.frames.empty())
        continue;
      auto identity = msg.server_view_frame0.empty() ? std::string{"client"}
                                                     : msg.server_view_frame0;
      auto received = as_received(msg.frames, identity);
      frontend_input one;
      one.messages.push_back(received);
      write(stem + "-" + std::to_string(m++), one);
      whole.messages.push_back(std::move(received));
    }
    if (!whole.messages.empty())
      write(stem, whole);
  }
  // The fake Thing's answers (tests/daemon/broker_fixture.hpp), the broker's
  // own actions, oneway and unknown Things, under each setup.
  frontend_input mix;
  for (const char* objekt : {"integration_time", "hang", "boom", "late", "lost", "gone", "echo"})
    mix.messages.push_back(request("c1", "spectrometer", objekt, op::read_property));
  mix.messages.push_back(request("c1", "spectrometer", "get_thing_description",
                                 op::invoke_action));
  for (const char* action : {"ping", "things", "status", "last_event"})
    mix.messages.push_back(request("c2", "holobroker", action, op::invoke_action, 1));
  mix.messages.push_back(request("c2", "motor", "position", op::write_property, 2, true, "3"));
  mix.messages.push_back(request("c2", "motor", "position", op::write_property, 2, false, "4"));
  mix.messages.push_back(request("c3", "nope", "x", op::read_property, 3));
  mix.messages.push_back(request("c3", "spectrometer", "hang", op::read_property, 4));
  mix.messages.push_back(request("c3", "spectrometer", "hang", op::read_property, 1, false, ""));
  for (unsigned setup = 0; setup < 8; ++setup) {
    mix.policy = (setup & 1) != 0;
    mix.per_client_bound = (setup & 2) != 0;
    mix.slow_reader = (setup & 4) != 0;
    write("mix-" + std::to_string(setup), mix);
  }
  frontend_input echo;
  echo.messages.push_back(request("e", "spectrometer", "echo", op::invoke_action, 0, false,
                                  "{\"averages\": 4}"));
  write("echo", echo);
  return seeds;
}

} // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string_view{argv[1]} == "--frontend") {
    try {
      std::filesystem::create_directories(argv[2]);
      auto n = seed_frontend(argv[2]);
      std::printf("fuzz_seed: wrote %zu front-end seeds to %s\n", n, argv[2]);
      return 0;
    } catch (const std::exception& ex) {
      std::fprintf(stderr, "fuzz_seed: %s\n", ex.what());
      return 1;
    }
  }
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s [--frontend] OUT_DIR\n", argv[0]);
    return 2;
  }
  std::filesystem::path out{argv[1]};
  try {
    std::filesystem::create_directories(out);
    std::size_t seeds = 0;
    for (const auto& cap : holobroker::test::load_all_golden()) {
      auto stem = std::filesystem::path{cap.file}.stem().string();
      for (std::size_t m = 0; m < cap.messages.size(); ++m) {
        const auto& frames = cap.messages[m].frames;
        std::string joined;
        for (std::size_t i = 0; i < frames.size(); ++i) {
          if (i > 0)
            joined += '\xff';
          joined.append(frames[i].view());
        }
        auto base = stem + "-" + std::to_string(m);
        write_seed(out, base, joined);
        ++seeds;
        for (std::size_t i = 2; i < frames.size() && i < 4; ++i) {
          write_seed(out, base + "-frame" + std::to_string(i), frames[i].to_string());
          ++seeds;
        }
      }
    }
    std::printf("fuzz_seed: wrote %zu seeds to %s\n", seeds, out.c_str());
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "fuzz_seed: %s\n", ex.what());
    return 1;
  }
  return 0;
}
