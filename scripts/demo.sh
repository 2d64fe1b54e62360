#!/usr/bin/env bash
# The README's main command: installs dependencies, builds, and runs the
# newest end-to-end piece of holobroker on its embedded default.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"
# Until the daemon lands: decode every capture of the real hololinked.
./build/tests/wire/test_wire
