#!/bin/sh
# Side-by-side fused-gate benchmark: swiglu's GEMM vs OpenBLAS's two-sgemm gate, on this machine, in
# one run. Dev-only (needs `apt-get install -y libopenblas-dev`); nothing here is a runtime dependency.
#
#   bench/openblas/run.sh [gemm_bench options]     e.g. --threads 1 --m 1,8 --dtype f32
#
# 1. gemm_bench (native/tools) times, for every shape, M and thread count, the fused gate, the FMA
#    peak probe (the addon's ProbeTable::fma, each run as long as one fused call), the unfused path
#    (2 GEMMs + swiglu) and OpenBLAS's gate (dlopen, same process, same inputs) round-robin, one run of
#    each per round, and prints medians and ratios; %peak is against the probe of the same row. M = 1
#    rows add the DRAM read probe and, for bf16/f16, the f32 pack of the shape to the round-robin
#    (the %DRAM and bf16/f32 bars). On a machine shared with other jobs, GEMM_BENCH_CPUTIME=1 times
#    process CPU time instead of wall time (time slices lost to other jobs drop out).
#    `gemm_bench --matmul` compares small-M matmul with and without packing B.
# 2. gate.c is the same OpenBLAS gate as a standalone C program (what a BLAS user would write), for
#    a cross-check outside our process.
# OPENBLAS_CORETYPE=Zen selects OpenBLAS's AVX2 kernels; unset, it picks its AVX-512 (SkylakeX /
# Cooperlake) kernels. Run both: peers.md quotes the faster.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-/tmp/swiglu-gemm-bench}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target gemm_bench >/dev/null
cc -O2 -o "$build/openblas_gate" "$here/gate.c" -lopenblas -lm
echo "== swiglu vs OpenBLAS (default core), one process"
"$build/gemm_bench" --openblas --unfused "$@"
echo "== swiglu vs OpenBLAS (OPENBLAS_CORETYPE=Zen), one process"
OPENBLAS_CORETYPE=Zen "$build/gemm_bench" --openblas --dtype f32 "$@"
echo "== standalone OpenBLAS gate (default core)"
"$build/openblas_gate" 1 2
