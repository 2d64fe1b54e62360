#!/usr/bin/env bash
# usage: fuzz/run.sh BUILD_DIR SECONDS
# Seeds a corpus under BUILD_DIR from the golden captures, then fuzzes the wire
# codec for SECONDS, then the config/policy loader and the broker's front
# end (when built) for SECONDS each. Fails (non-zero exit) on any crash, sanitizer report,
# oracle violation, timeout or out-of-memory; the input is kept in
# BUILD_DIR/fuzz/artifacts/.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
seconds=$2
fuzzer="$build/fuzz/fuzz_wire"
seeder="$build/fuzz/fuzz_seed"
corpus="$build/fuzz/corpus"
artifacts="$build/fuzz/artifacts"
for tool in "$fuzzer" "$seeder"; do
  if [ ! -x "$tool" ]; then
    echo "missing $tool: build target fuzz_wire with -DHOLOBROKER_FUZZ=ON" >&2
    exit 1
  fi
done
mkdir -p "$corpus" "$artifacts"
"$seeder" "$corpus"
# One job: the machine is shared. -timeout catches hangs (a slow unit is a
# failure too); -rss_limit_mb catches runaway allocation.
"$fuzzer" "$corpus" \
  -max_total_time="$seconds" \
  -max_len=65536 \
  -timeout=10 \
  -rss_limit_mb=2048 \
  -artifact_prefix="$artifacts/" \
  -print_final_stats=1
echo "fuzz_wire: no crash in ${seconds}s; corpus $(ls "$corpus" | wc -l) inputs"

# The configuration and policy loader, seeded with the repository's YAML
# files (the example documents every key, security included).
config_fuzzer="$build/fuzz/fuzz_config"
if [ -x "$config_fuzzer" ]; then
  here=$(cd "$(dirname "$0")/.." && pwd)
  config_corpus="$build/fuzz/corpus-config"
  mkdir -p "$config_corpus"
  cp "$here"/config/*.yaml "$here"/fuzz/seeds/*.yaml "$config_corpus/" 2>/dev/null || true
  "$config_fuzzer" "$config_corpus" \
    -max_total_time="$seconds" \
    -max_len=16384 \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/config-" \
    -print_final_stats=1
  echo "fuzz_config: no crash in ${seconds}s; corpus $(ls "$config_corpus" | wc -l) inputs"
fi

# The broker's front end over fake sockets (fuzz/fuzz_frontend.cpp), seeded
# with the captures' client messages in the length-prefixed input format.
frontend_fuzzer="$build/fuzz/fuzz_frontend"
if [ -x "$frontend_fuzzer" ]; then
  frontend_corpus="$build/fuzz/corpus-frontend"
  mkdir -p "$frontend_corpus"
  "$seeder" --frontend "$frontend_corpus"
  "$frontend_fuzzer" "$frontend_corpus" \
    -max_total_time="$seconds" \
    -max_len=65536 \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/frontend-" \
    -print_final_stats=1
  echo "fuzz_frontend: no crash in ${seconds}s; corpus $(ls "$frontend_corpus" | wc -l) inputs"
fi
