#!/usr/bin/env bash
# The README's main command: installs dependencies, builds, starts thing-sim
# with its default fleet and holobrokerd with config/demo.yaml in front of
# it, shows the holobroker CLI reading a property, invoking an action and
# receiving an event through the broker, then stops everything cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target thing-sim holobrokerd holobroker

sim_bin=build/apps/thing-sim/thing-sim
broker_bin=build/apps/holobrokerd/holobrokerd
cli_bin=build/apps/holobroker/holobroker

# hololinked puts IPC sockets in $HOME/.hololinked/sockets; give the demo its
# own HOME so it never collides with a real fleet on this machine.
demo_home=$(mktemp -d /tmp/holobroker-demo.XXXXXX)
export HOME=$demo_home
sim_pid=
broker_pid=
cleanup() {
  [ -n "$broker_pid" ] && kill -TERM "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null || true
  [ -n "$sim_pid" ] && kill -TERM "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null || true
  rm -rf "$demo_home"
}
trap cleanup EXIT

# Waits (bounded) until FILE has a line "ready".
wait_ready() {
  local file=$1 name=$2
  for _ in $(seq 200); do
    grep -qx ready "$file" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "demo: $name did not become ready; its log:" >&2
  cat "$demo_home/$name.log" >&2 || true
  exit 1
}

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

"$sim_bin" >"$demo_home/thing-sim.out" 2>"$demo_home/thing-sim.log" &
sim_pid=$!
wait_ready "$demo_home/thing-sim.out" thing-sim
echo "thing-sim serving:"; grep '^server' "$demo_home/thing-sim.out"

"$broker_bin" --config config/demo.yaml >"$demo_home/holobrokerd.out" 2>"$demo_home/holobrokerd.log" &
broker_pid=$!
wait_ready "$demo_home/holobrokerd.out" holobrokerd
echo "holobrokerd listening:"; grep -v '^ready' "$demo_home/holobrokerd.out"

step holobroker things
"$cli_bin" things
step holobroker read spectrometer integration_time
"$cli_bin" read spectrometer integration_time
step holobroker write spectrometer integration_time 25
"$cli_bin" write spectrometer integration_time 25
step holobroker invoke spectrometer acquire '{"averages": 4}'
"$cli_bin" invoke spectrometer acquire '{"averages": 4}'
step holobroker invoke motor move_to '{"position": 12.5}'
"$cli_bin" invoke motor move_to '{"position": 12.5}'
step holobroker subscribe spectrometer measurement --count 2
"$cli_bin" --timeout 10 subscribe spectrometer measurement --count 2
step holobroker read spectrometer no_such_property "(a remote exception: exit code 5)"
"$cli_bin" read spectrometer no_such_property || echo "exit code $?"
step holobroker status
"$cli_bin" status

step "kill -TERM holobrokerd   (graceful drain)"
kill -TERM "$broker_pid"
wait "$broker_pid" && echo "holobrokerd exited cleanly"
broker_pid=
tail -n 3 "$demo_home/holobrokerd.log"
