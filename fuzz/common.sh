# Sourced by fuzz/run.sh (CI's bounded run) and fuzz/campaign.sh (the long
# runs): the one place that says how each target is seeded and run, so that a
# campaign fuzzes exactly what CI fuzzes.

# Sanitizer options of every fuzzing run (an ASAN_OPTIONS/UBSAN_OPTIONS of the
# caller is appended and wins). malloc_context_size=2: ASan records two frames
# of the allocation and free stack of every block instead of 30; unwinding and
# storing those stacks on every malloc and free was a tenth of the fuzzers' run
# time. It changes what a report prints, not what is detected: to see the full
# allocation/free stacks of a finding, replay its artifact with
# ASAN_OPTIONS=malloc_context_size=30 (fuzz/run.sh prints how).
export ASAN_OPTIONS="malloc_context_size=2${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

# libFuzzer options of every target.
# -timeout=300: libFuzzer's timeout is wall-clock time, so a niced or starved
#   fuzzer took inputs of 0.3 s of CPU for hangs at -timeout=10. Hangs and slow
#   units are caught by CPU time instead (fuzz/cpu_budget.hpp: 10 s of CPU per
#   input, the old limit on a free core, and it fires inside an endless loop);
#   the wall-clock timeout is only the backstop for a hang that burns no CPU,
#   long enough that a job getting a fraction of a percent of a core does not
#   trip it. HOLOBROKER_FUZZ_WALL_TIMEOUT=SECONDS changes it: a long campaign
#   on a shared machine sets it high so that it can be paused (kill -STOP,
#   kill -CONT) while benchmarks run, a pause being wall-clock time too; the
#   CPU-time budget still catches every hang that burns CPU, which is every
#   hang the targets can have (none of them blocks: pure functions, and the
#   front end under CAF's deterministic test coordinator).
# -rss_limit_mb: runaway allocation is a finding.
# The default entropic power schedule stays on: its bookkeeping costs about a
#   tenth of the run time, and it spends the executions on the inputs that
#   find new features.
fuzz_common_flags=(-timeout="${HOLOBROKER_FUZZ_WALL_TIMEOUT:-300}" -rss_limit_mb=2048 -print_final_stats=1)
# libFuzzer's slow-unit report (an artifact, not a failure) counts wall-clock
# time as well (10 s): a paused or starved campaign writes one for whatever
# input it was in. With the backstop raised, so is it.
if [ -n "${HOLOBROKER_FUZZ_WALL_TIMEOUT:-}" ]; then
  fuzz_common_flags+=(-report_slow_units="$HOLOBROKER_FUZZ_WALL_TIMEOUT")
fi

# fuzz_setup BUILD TARGET: sets fuzz_binary, fuzz_corpus, fuzz_artifacts and
# fuzz_flags (the target's own libFuzzer flags) for TARGET (wire, config or
# frontend) and seeds its corpus (seeding adds files; the kept corpus stays).
fuzz_setup() {
  local build=$1 target=$2
  local here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  fuzz_binary="$build/fuzz/fuzz_$target"
  fuzz_artifacts="$build/fuzz/artifacts"
  if [ ! -x "$fuzz_binary" ]; then
    echo "missing $fuzz_binary: build target fuzz_$target with -DHOLOBROKER_FUZZ=ON" >&2
    return 1
  fi
  mkdir -p "$fuzz_artifacts"
  case $target in
    wire)
      # The captures' frames, split as the harness splits its input.
      # -max_len=65536: a message's frames joined, with room for payloads
      # well beyond the captures' (the codec has no size-dependent path to
      # reach); -len_control grows the inputs gradually anyway.
      fuzz_corpus="$build/fuzz/corpus"
      mkdir -p "$fuzz_corpus"
      "$build/fuzz/fuzz_seed" "$fuzz_corpus"
      fuzz_flags=(-max_len=65536 -artifact_prefix="$fuzz_artifacts/")
      ;;
    config)
      # The repository's YAML files (the example documents every key,
      # security included). -max_len=16384: twice the example file.
      fuzz_corpus="$build/fuzz/corpus-config"
      mkdir -p "$fuzz_corpus"
      cp "$here"/config/*.yaml "$here"/fuzz/seeds/*.yaml "$fuzz_corpus/" 2>/dev/null || true
      fuzz_flags=(-max_len=16384 -artifact_prefix="$fuzz_artifacts/config-")
      ;;
    frontend)
      # The captures' client messages in the length-prefixed input format
      # (fuzz/frontend_input.hpp). -max_len=65536: a frame's 2-byte length
      # prefix reaches 65535, so one frame of any length fits.
      fuzz_corpus="$build/fuzz/corpus-frontend"
      mkdir -p "$fuzz_corpus"
      "$build/fuzz/fuzz_seed" --frontend "$fuzz_corpus"
      fuzz_flags=(-max_len=65536 -artifact_prefix="$fuzz_artifacts/frontend-")
      ;;
    *)
      echo "unknown fuzz target '$target' (wire, config or frontend)" >&2
      return 2
      ;;
  esac
}

# fuzz_replay_hint TARGET: how to look at a finding of TARGET in detail.
fuzz_replay_hint() {
  echo "replay a finding with full allocation stacks:" \
    "ASAN_OPTIONS=malloc_context_size=30 $fuzz_binary ARTIFACT" >&2
}
