#!/usr/bin/env bash
# usage: fuzz/run.sh BUILD_DIR SECONDS
# Checks that the per-input CPU-time budget turns an endless loop into a
# finding, seeds a corpus under BUILD_DIR from the golden captures, then
# fuzzes the wire codec for SECONDS, then the config/policy loader and the
# broker's front end (when built) for SECONDS each. Fails (non-zero exit) on
# any crash, sanitizer report, oracle violation, hang, slow unit or
# out-of-memory; the input is kept in BUILD_DIR/fuzz/artifacts/. How each
# target is seeded and run: fuzz/common.sh. Long runs: fuzz/campaign.sh.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"

for tool in "$build/fuzz/fuzz_seed" "$build/fuzz/fuzz_budget_check"; do
  if [ ! -x "$tool" ]; then
    echo "missing $tool: build target fuzz_wire with -DHOLOBROKER_FUZZ=ON" >&2
    exit 1
  fi
done

# The budget must fire inside an endless loop (fuzz/fuzz_budget_check.cpp),
# or a hang would only be caught by the long wall-clock backstop.
check_dir=$(mktemp -d)
trap 'rm -rf "$check_dir"' EXIT
printf spin >"$check_dir/spin"
if HOLOBROKER_FUZZ_CPU_BUDGET=1 "$build/fuzz/fuzz_budget_check" -timeout=60 \
  "$check_dir/spin" >"$check_dir/log" 2>&1 \
  || ! grep -q 'used up its CPU-time budget' "$check_dir/log"; then
  cat "$check_dir/log" >&2
  echo "fuzz/run.sh: the CPU-time budget did not stop an endless loop" >&2
  exit 1
fi
echo "fuzz_budget_check: an endless loop is a finding after 1 s of CPU"

run_target() {
  local target=$1
  fuzz_setup "$build" "$target"
  if ! "$fuzz_binary" "$fuzz_corpus" -max_total_time="$seconds" "${fuzz_common_flags[@]}" \
    "${fuzz_flags[@]}"; then
    fuzz_replay_hint
    return 1
  fi
  echo "fuzz_$target: no finding in ${seconds}s; corpus $(ls "$fuzz_corpus" | wc -l) inputs"
}

# One job at a time: the machine is shared.
run_target wire
if [ -x "$build/fuzz/fuzz_config" ]; then
  run_target config
fi
if [ -x "$build/fuzz/fuzz_frontend" ]; then
  run_target frontend
fi
