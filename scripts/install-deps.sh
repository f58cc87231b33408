#!/usr/bin/env bash
# Installs everything xdet needs to build, test and benchmark, from Debian's package archive.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PKGS=(
  build-essential cmake ninja-build pkg-config python3 clang libclang-rt-14-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsimdjson-dev libfmt-dev libcli11-dev
  libmspack-dev libssl-dev libcapstone-dev libzstd-dev
  libpng-dev libsqlite3-dev chromium parallel
  libavcodec-dev libavutil-dev
  gcc-powerpc64-linux-gnu binutils-powerpc64-linux-gnu
  gcc-powerpc-linux-gnu binutils-powerpc-linux-gnu
  libxbyak-dev
  qemu-user
  python3-jsonschema zstd
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "install-deps: all packages present"
