#!/bin/sh
# The GEMM's self-check (native/tools/gemm_bench.cc --check), every ISA this CPU runs: plain and fused-gate
# GEMMs over shapes around the tile and panel edges, f32/bf16/f16 weights, both weight layouts, against a
# float64 reference, and the same bits at 1 and 2 threads and under other cache blockings.
# Builds with plain cmake (Release) in build/tools; exit 1 if any case fails.
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build/tools"
mkdir -p "$build"
if ! { cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release && cmake --build "$build" --target gemm_bench -j 2; } \
    >"$build/gemm-build.log" 2>&1; then
  cat "$build/gemm-build.log" >&2
  exit 2
fi
exec "$build/gemm_bench" --check
