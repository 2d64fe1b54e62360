#!/usr/bin/env bash
# Installs holobroker's build, test and run dependencies from Debian 12
# packages. Idempotent, and quiet when everything is already there.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates ccache
  libcaf-dev                  # C++ Actor Framework 0.17.6 (incl. libcaf_openssl: federation TLS)
  libssl-dev openssl          # TLS between federated brokers; test certificates (openssl req)
  libzmq3-dev cppzmq-dev      # libzmq 4.3.4 + C++ binding
  libyaml-cpp-dev             # configuration
  libspdlog-dev libfmt-dev    # logging
  nlohmann-json3-dev          # JSON values (payloads, TDs, CLI output)
  libcli11-dev                # command lines
  libsystemd-dev              # sd_notify
  libcpp-httplib-dev          # holobrokerd's HTTP endpoint (/metrics, /status, /)
  help2man                    # man pages generated from --help at build time
  bash-completion             # loads completion/holobroker.bash when installed
  chromium                    # headless browser for the fleet page's test
  libbenchmark-dev            # Google Benchmark
  clang-14 libclang-rt-14-dev libfuzzer-14-dev  # libFuzzer targets
  python3 procps iproute2     # test scripts and process checks
  python3-venv libopenblas0-pthread libzmq5  # the real hololinked 0.4 peer's venv (interop tests)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
