#!/bin/sh
# The NEON 16-bit float conversions against the scalar ones (native/tools/convert_check.cc), cross-compiled
# for aarch64 and run under qemu (ARMv8.0 baseline: -cpu cortex-a53). Needs g++-aarch64-linux-gnu and qemu-user.
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
out="${TMPDIR:-/tmp}/swiglu-convert-arm64"
flags="-std=c++17 -O2 -ffp-contract=off -fno-math-errno -fno-trapping-math -Wall -Wextra -march=armv8-a -DSWIGLU_HAVE_NEON=1"
aarch64-linux-gnu-g++ $flags -static -pthread -o "$out" "$root/native/tools/convert_check.cc" \
  "$root/native/runtime/cpu.cc" "$root/native/isa/scalar_convert.cc" "$root/native/isa/neon_convert.cc"
exec qemu-aarch64 -cpu cortex-a53 "$out"
