#pragma once

// The input format of fuzz_frontend, shared with the seeder (fuzz_seed
// --frontend) so that seeds and the harness read the same bytes. Every byte
// string decodes to something (libFuzzer mutates freely), and the format is a
// plain length prefix per frame, so mutations of one frame leave the others
// intact:
//
//   byte 0            setup: bit 0 a policy is configured, bit 1 a per-client
//                     in-flight bound of 2, bit 2 the fake socket's sends fail
//                     with would_block every third time (a client that does not read)
//   then, per message:
//     ctrl            bits 0-2: the User-Id the message arrives with (the
//                     table below); bits 3-7: scheduler steps (0-31) the
//                     actors run before this message is delivered, so that
//                     replies and new requests interleave
//     count           frames in the message (low 4 bits: 0-15)
//     count x frame   2-byte little-endian length, then that many bytes
//                     (cut short where the input ends)

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace holobroker::fuzz {

/// The User-Ids a message may carry (security/principal.hpp): no ZAP, local
/// users the fuzzer's policy knows and one it does not, TCP and CURVE peers,
/// and a malformed one.
inline constexpr std::array<std::string_view, 8> user_ids{
  "", "unix:1000:1000:", "unix:2000:2000:", "unix:3000:3000:4000",
  "tcp:127.0.0.1", "curve:alice", "unix:x", "tcp:"};

struct frontend_message {
  std::uint8_t user = 0;  ///< index into user_ids
  std::uint8_t steps = 0; ///< scheduler steps before delivery
  std::vector<std::string> frames;
};

struct frontend_input {
  bool policy = false;
  bool per_client_bound = false;
  bool slow_reader = false;
  std::vector<frontend_message> messages;
};

inline frontend_input decode_frontend_input(const std::uint8_t* data, std::size_t size) {
  frontend_input in;
  std::size_t i = 0;
  if (i < size) {
    in.policy = (data[i] & 1) != 0;
    in.per_client_bound = (data[i] & 2) != 0;
    in.slow_reader = (data[i] & 4) != 0;
    ++i;
  }
  while (i < size) {
    frontend_message m;
    m.user = data[i] & 7;
    m.steps = static_cast<std::uint8_t>(data[i] >> 3);
    ++i;
    std::size_t count = i < size ? (data[i++] & 0x0f) : 0;
    for (std::size_t f = 0; f < count; ++f) {
      std::size_t len = 0;
      if (i < size)
        len = data[i++];
      if (i < size)
        len |= static_cast<std::size_t>(data[i++]) << 8;
      if (len > size - i)
        len = size - i;
      m.frames.emplace_back(reinterpret_cast<const char*>(data + i), len);
      i += len;
    }
    in.messages.push_back(std::move(m));
  }
  return in;
}

inline std::string encode_frontend_input(const frontend_input& in) {
  std::string out;
  out += static_cast<char>((in.policy ? 1 : 0) | (in.per_client_bound ? 2 : 0)
                           | (in.slow_reader ? 4 : 0));
  for (const auto& m : in.messages) {
    out += static_cast<char>((m.user & 7) | (m.steps << 3));
    out += static_cast<char>(m.frames.size() & 0x0f);
    for (std::size_t f = 0; f < (m.frames.size() & 0x0f); ++f) {
      auto len = m.frames[f].size() > 0xffff ? std::size_t{0xffff} : m.frames[f].size();
      out += static_cast<char>(len & 0xff);
      out += static_cast<char>(len >> 8);
      out.append(m.frames[f], 0, len);
    }
  }
  return out;
}

} // namespace holobroker::fuzz
