#!/usr/bin/env bash
# The test command of the README and of CI: installs dependencies, builds
# with warnings as errors, runs the test suite, runs it again under
# AddressSanitizer + UndefinedBehaviorSanitizer, then fuzzes the wire parser,
# the config/policy loader and the front end for a bounded time each.
# Set HOLOBROKER_FUZZ_SECONDS=0 to skip fuzzing.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh

jobs=$(nproc)
fuzz_seconds=${HOLOBROKER_FUZZ_SECONDS:-60}

# The real hololinked 0.4 (unmodified, offline wheels) for the interop suite
# (ctest label `interop`), in a venv under the build directory; both builds
# use it. Without it the interop tests fail under CI=true and skip otherwise.
peer=${HOLOBROKER_HOLOLINKED_PEER:-$PWD/../shared/hololinked-0.4/peer}
interop_python=$PWD/build/hololinked-venv/bin/python
if [ -x "$peer/install.sh" ]; then
  echo "== install the real hololinked peer ($peer)"
  mkdir -p build
  interop_python=$("$peer/install.sh" "$PWD/build/hololinked-venv" | tail -n 1)
elif [ "${CI:-}" = true ]; then
  echo "test.sh: the real hololinked peer is missing at $peer (set HOLOBROKER_HOLOLINKED_PEER)" >&2
  exit 1
else
  echo "== no hololinked peer at $peer: the interop tests will be skipped"
fi

echo "== build and test (release, -Werror)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHOLOBROKER_WERROR=ON \
  -DHOLOBROKER_HOLOLINKED_PEER_DIR="$peer" -DHOLOBROKER_INTEROP_PYTHON="$interop_python" >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== build and test under ASan + UBSan"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHOLOBROKER_WERROR=ON \
  -DHOLOBROKER_SANITIZE=ON -DHOLOBROKER_BENCH=OFF \
  -DHOLOBROKER_HOLOLINKED_PEER_DIR="$peer" -DHOLOBROKER_INTEROP_PYTHON="$interop_python" >/dev/null
cmake --build build-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp \
  ctest --test-dir build-asan --output-on-failure -j "$jobs"

if [ "$fuzz_seconds" -gt 0 ] && [ -f fuzz/CMakeLists.txt ]; then
  echo "== fuzz the wire parser, the config/policy loader and the front end for ${fuzz_seconds}s each"
  CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DHOLOBROKER_FUZZ=ON -DHOLOBROKER_TESTS=OFF -DHOLOBROKER_BENCH=OFF >/dev/null
  cmake --build build-fuzz -j "$jobs" --target fuzz_wire fuzz_config fuzz_frontend
  ./fuzz/run.sh build-fuzz "$fuzz_seconds"
fi
echo "== all tests passed"
