#!/usr/bin/env bash
# bash completion of holobroker: commands, options, payload forms, and Thing
# ids and property names asked from a running broker. Usage:
#   completion_test.sh COMPLETION_FILE HOLOBROKER_BIN_DIR THING_SIM HOLOBROKERD
set -euo pipefail
completion=$1 bindir=$2 thing_sim=$3 holobrokerd=$4
export PATH="$bindir:$PATH"
tmp=$(mktemp -d)
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"; }
pids=()
trap cleanup EXIT
# shellcheck source=/dev/null
source "$completion"

complete_line() { # WORDS...: completes the last word; prints the candidates sorted
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _holobroker
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

expect() { # WANT GOT WHAT
  if [[ "$1" != "$2" ]]; then
    echo "FAIL: $3: wanted '$1', got '$2'" >&2
    exit 1
  fi
  echo "ok: $3"
}

expect "read" "$(complete_line holobroker re)" "commands"
expect "status subscribe" "$(complete_line holobroker s)" "commands by prefix"
expect "--pretty" "$(complete_line holobroker --pr)" "global options"
expect "--interval" "$(complete_line holobroker watch --i)" "watch options"
expect "--json" "$(complete_line holobroker describe x --j)" "describe options"
echo '{}' > "$tmp/kwargs.json"
expect "@$tmp/kwargs.json" "$(complete_line holobroker invoke t a "@$tmp/kw")" "@FILE payloads"

# Against a broker: Thing ids and property names.
"$thing_sim" --temp-dir "$tmp" > "$tmp/sim.out" 2>"$tmp/sim.err" &
pids+=($!)
for _ in $(seq 100); do grep -q '^ready' "$tmp/sim.out" && break; sleep 0.1; done
cat > "$tmp/broker.yaml" <<YAML
broker: {id: holobroker, temp_dir: $tmp}
things:
  - {id: spectrometer, server_id: thing-sim}
  - {id: motor, server_id: thing-sim}
YAML
"$holobrokerd" --config "$tmp/broker.yaml" > "$tmp/broker.out" 2>"$tmp/broker.err" &
pids+=($!)
for _ in $(seq 100); do grep -q '^ready' "$tmp/broker.out" && break; sleep 0.1; done
grep -q '^ready' "$tmp/broker.out" || { echo "FAIL: holobrokerd did not start" >&2; exit 1; }
front=$(sed -n 's/^frontend \(ipc:.*\)/\1/p' "$tmp/broker.out")
expect "motor spectrometer" "$(complete_line holobroker --broker "$front" read '')" "Thing ids"
expect "serial_number settings" \
  "$(complete_line holobroker --broker "$front" write spectrometer se)" "property names"
