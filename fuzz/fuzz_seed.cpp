// Writes the frames of every golden capture into a libFuzzer corpus
// directory, joined by the 0xFF frame separator fuzz_wire splits at, plus each
// header and payload frame on its own. Run at fuzz time so that no copy of
// the captures is kept in the repository.
//
// usage: fuzz_seed OUT_DIR   (captures from $HOLOBROKER_GOLDEN_DIR or the
//                             directory configured in CMake)

#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/golden.hpp"

namespace {

void write_seed(const std::filesystem::path& dir, const std::string& name,
                const std::string& bytes) {
  std::ofstream out{dir / name, std::ios::binary};
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
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
