#!/usr/bin/env bash
# usage: fuzz/campaign.sh BUILD_DIR TARGET EXECUTIONS
#   TARGET: wire, config or frontend; EXECUTIONS: e.g. 10000000
# A documented long run: fuzzes TARGET as fuzz/run.sh does (same seeds, same
# flags, same sanitizers: fuzz/common.sh) on its kept corpus
# (BUILD_DIR/fuzz/corpus*, which grows run after run) until libFuzzer has
# executed EXECUTIONS inputs (-runs, the seed corpus included), then prints
# the final statistics and one summary line, and keeps the whole log in
# BUILD_DIR/fuzz/campaign-TARGET-<UTC time>.log. Exit status non-zero on a
# finding (crash, sanitizer report, oracle violation, hang, slow unit,
# out-of-memory); the input is in BUILD_DIR/fuzz/artifacts/.
# One job, one core; on a shared machine run it under `nice -n 10`
# (the CPU-time budget does not mind, see fuzz/common.sh).
# HOLOBROKER_FUZZ_JOBS=N (N > 1): one campaign on N cores, libFuzzer's fork
# mode (-fork=N: child processes fuzz parts of the corpus in turns, the
# parent merges what they find and counts their executions until
# EXECUTIONS); same flags and sanitizers in every child, and the first
# finding stops the campaign. A 10-million run fits a 3-hour session only
# this way on a 2-core machine.
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 BUILD_DIR wire|config|frontend EXECUTIONS" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
target=$2
runs=$3
case $runs in
  '' | *[!0-9]*)
    echo "EXECUTIONS must be a number, not '$runs'" >&2
    exit 2
    ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
fuzz_setup "$build" "$target"

jobs=${HOLOBROKER_FUZZ_JOBS:-1}
case $jobs in
  '' | *[!0-9]* | 0)
    echo "HOLOBROKER_FUZZ_JOBS must be a number > 0, not '$jobs'" >&2
    exit 2
    ;;
esac
fork_flags=()
if [ "$jobs" -gt 1 ]; then
  fork_flags=(-fork="$jobs")
fi

log="$build/fuzz/campaign-$target-$(date -u +%Y%m%dT%H%M%SZ).log"
revision=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)
{
  echo "campaign: fuzz_$target, $runs executions, git $revision, $(date -u)"
  echo "campaign: corpus $fuzz_corpus ($(ls "$fuzz_corpus" | wc -l) inputs)"
  echo "campaign: ASAN_OPTIONS=$ASAN_OPTIONS UBSAN_OPTIONS=$UBSAN_OPTIONS"
  echo "campaign: flags ${fuzz_common_flags[*]} ${fuzz_flags[*]} ${fork_flags[*]}"
} | tee "$log"

# The terminal gets the milestones (libFuzzer's pulses at powers of two, the
# end and any report); the log gets everything.
start=$(date +%s)
set +e
"$fuzz_binary" "$fuzz_corpus" -runs="$runs" "${fuzz_common_flags[@]}" "${fuzz_flags[@]}" \
  "${fork_flags[@]}" 2>&1 \
  | tee -a "$log" \
  | { grep --line-buffered -E '^(stat::|Done |==|SUMMARY|INFO: (fuzzed|exiting|-fork))|INITED|pulse|DONE|artifact|ERROR' || true; }
status=${PIPESTATUS[0]}
set -e
elapsed=$(($(date +%s) - start))

if [ "$jobs" -gt 1 ]; then
  # The fork-mode parent prints no final statistics: its last merge line
  # (`#N: cov: …`) counts the children's executions.
  executed=$(awk '/^#[0-9]+: cov:/ {n = substr($1, 2, length($1) - 2)} END {print n}' "$log")
else
  executed=$(awk '/^stat::number_of_executed_units:/ {print $2}' "$log")
fi
executed=${executed:-0}
rate=$((elapsed > 0 ? executed / elapsed : executed))
time=$(printf '%dh%02dm%02ds' $((elapsed / 3600)) $((elapsed % 3600 / 60)) $((elapsed % 60)))
if [ "$status" -eq 0 ]; then
  verdict="no finding"
elif [ "$status" -eq 72 ]; then
  # libFuzzer's exit status after SIGINT (-interrupted_exitcode): stopped
  # early, not a finding; the executions so far are counted above.
  verdict="interrupted (SIGINT) before $runs executions, no finding"
else
  verdict="FINDING (exit $status), see $fuzz_artifacts/"
fi
echo "campaign: fuzz_$target $executed executions in $time ($rate/s), $verdict;" \
  "corpus $(ls "$fuzz_corpus" | wc -l) inputs; log $log" | tee -a "$log"
if [ "$status" -ne 0 ] && [ "$status" -ne 72 ]; then
  fuzz_replay_hint
fi
exit "$status"
