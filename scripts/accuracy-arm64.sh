#!/bin/sh
# The accuracy sweep on the NEON path, cross-compiled for aarch64 and run under qemu (ARMv8.0 baseline:
# -cpu cortex-a53). Needs: apt-get install -y --no-install-recommends g++-aarch64-linux-gnu qemu-user-static
#   sh scripts/accuracy-arm64.sh --sample 65521      # default when no arguments are given
# The tool, the elementwise and gradient ISA units, and the runtime files that say which ISAs run here and
# map them to their tables (cpu.cc, dispatch.cc, grad_dispatch.cc): the same check as the addon's.
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
out="${TMPDIR:-/tmp}/swiglu-accuracy-arm64"
flags="-std=c++17 -O2 -ffp-contract=off -fno-math-errno -fno-trapping-math -Wall -Wextra -march=armv8-a -DSWIGLU_HAVE_NEON=1"
aarch64-linux-gnu-g++ $flags -static -pthread -o "$out" \
  "$root/native/tools/accuracy.cc" "$root/native/isa/scalar.cc" "$root/native/isa/neon.cc" \
  "$root/native/isa/scalar_grad.cc" "$root/native/isa/neon_grad.cc" \
  "$root/native/runtime/cpu.cc" "$root/native/runtime/dispatch.cc" "$root/native/runtime/grad_dispatch.cc"
[ $# -eq 0 ] && set -- --sample 65521
exec qemu-aarch64-static -cpu cortex-a53 "$out" "$@"
