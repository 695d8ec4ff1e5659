#!/bin/sh
# The accuracy sweep on the NEON path, cross-compiled for aarch64 and run under qemu (ARMv8.0 baseline:
# -cpu cortex-a53). Needs: apt-get install -y --no-install-recommends g++-aarch64-linux-gnu qemu-user-static
#   sh scripts/accuracy-arm64.sh --sample 65521      # default when no arguments are given
# Only the ISA units and the tool are compiled: the tool needs nothing from native/runtime.
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
out="${TMPDIR:-/tmp}/swiglu-accuracy-arm64"
flags="-std=c++17 -O2 -ffp-contract=off -fno-math-errno -fno-trapping-math -Wall -Wextra -march=armv8-a"
aarch64-linux-gnu-g++ $flags -static -pthread -o "$out" \
  "$root/native/tools/accuracy.cc" "$root/native/isa/scalar.cc" "$root/native/isa/neon.cc" \
  "$root/native/isa/scalar_grad.cc" "$root/native/isa/neon_grad.cc"
[ $# -eq 0 ] && set -- --sample 65521
exec qemu-aarch64-static -cpu cortex-a53 "$out" "$@"
