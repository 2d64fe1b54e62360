#!/usr/bin/env bash
# The benchmark command of the README (issue 6): builds Release into
# build-bench and runs holobroker-bench, which measures the raw libzmq echo
# (the limit), thing-sim's own ceiling, the minimal forwarder (raw-proxy,
# the daemon's yardstick), the client actor, the blocking facade, the daemon
# path, the groups of issues 11 and 12 (CURVE front end vs plain TCP, through
# one peer broker incl. SIGHUP and restart times, a flooding and a
# never-reading neighbour; --groups selects) and fleets of 10/100/1000 Things
# in one run and prints Markdown tables with ratios to the figures of the
# same run, and a verdict table of the goals.
#
#   ./scripts/bench.sh            full run (several minutes)
#   ./scripts/bench.sh --quick    smoke run (~1 minute)
#   ./scripts/bench.sh --help     every option (paths, loads, fleet sizes, ...)
#
# Figures only: timing never fails this script. Set HOLOBROKER_BENCH_JOBS to
# limit build parallelism on a shared machine (default: nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${HOLOBROKER_BENCH_JOBS:-$(nproc)}

cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DHOLOBROKER_TESTS=OFF >/dev/null
if ! cmake --build build-bench -j "$jobs" --target holobroker-bench thing-sim holobrokerd \
  >build-bench/build.log 2>&1; then
  cat build-bench/build.log
  exit 1
fi
echo "command: ./scripts/bench.sh $*   (git $(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
exec build-bench/bench/e2e/holobroker-bench "$@"
