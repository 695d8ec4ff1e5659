#!/usr/bin/env bash
# Compiles the NEON translation unit (and the scalar one) for aarch64 so that it cannot rot on an
# x86 machine. Running it is scripts/test-arm64.sh's job; this only proves it builds warning-free.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/apt-ensure.sh g++-aarch64-linux-gnu
out=$(mktemp -d)
for unit in neon neon_gemm neon_grad neon_convert neon_probes scalar scalar_gemm scalar_grad scalar_convert scalar_probes; do
  aarch64-linux-gnu-g++ -std=c++17 -O2 -march=armv8-a -ffp-contract=off -fno-math-errno -Wall -Wextra -Werror \
    -DSWIGLU_HAVE_NEON=1 -c "native/isa/$unit.cc" -o "$out/$unit.o"
done
rm -rf "$out"
echo "aarch64: the neon and scalar units of native/isa/ compile cleanly"
