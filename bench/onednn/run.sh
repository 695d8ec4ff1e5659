#!/bin/sh
# oneDNN's fused-epilogue SwiGLU gate (gate.cc: two f32 matmul primitives, swish post-op on X·Wgᵀ,
# binary-mul post-op on X·Wuᵀ, weights reordered once into the primitive's layout), timed on this
# machine at the gate bench's shapes. Dev-only: needs g++ and Debian's libdnnl-dev (oneDNN 2.x, OpenMP
# runtime), installed here with apt when missing; nothing here is a runtime dependency of the package.
#
#   bench/onednn/run.sh [gate.cc options]     e.g. --shapes 4096x11008 --m 1,8 --repeat 5
#
# Environment: THREADS (default "1 2": one run per count, OMP_NUM_THREADS set on that run only),
# ISAS (default "AVX2 AVX512_CORE": ONEDNN_MAX_CPU_ISA per run; skipped by oneDNN when the CPU lacks
# it, it then reports the ISA it used), OMP_WAIT_POLICY (default PASSIVE: OpenMP's threads sleep between
# calls, as our pool's helpers do with setSpinWait(0); libgomp's default spinning made 2-thread calls 10x
# slower on 2 vCPUs shared with other jobs), BUILD_DIR (default /tmp/swiglu-onednn), VERBOSE=1 (adds
# ONEDNN_VERBOSE=1 to the runs: which kernel each primitive ran).
# Our side of the comparison: `node dist/bench/cli.js gate --onednn --isa avx2,avx512` times both and
# reports oneDNN's time ÷ ours per row; or `SWIGLU_ISA=avx2 node dist/bench/cli.js gate --shapes ...`.
set -eu
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-/tmp/swiglu-onednn}
if ! [ -e /usr/include/oneapi/dnnl/dnnl.hpp ]; then
  bash "$root/scripts/apt-ensure.sh" libdnnl-dev g++
fi
mkdir -p "$build"
g++ -O2 -fopenmp -o "$build/onednn_gate" "$here/gate.cc" -ldnnl
for isa in ${ISAS:-AVX2 AVX512_CORE}; do
  for t in ${THREADS:-1 2}; do
    echo "== oneDNN gate, ONEDNN_MAX_CPU_ISA=$isa OMP_NUM_THREADS=$t"
    if [ "${VERBOSE:-0}" = 1 ]; then
      # The kernels, once each with a count, after the table (not one line per call).
      ONEDNN_VERBOSE=1 ONEDNN_MAX_CPU_ISA=$isa OMP_NUM_THREADS=$t "$build/onednn_gate" "$@" |
        awk -F, '/^onednn_verbose,exec,/ { k = $4 "," $5 "," $7 "," $8 "," $10; n[k]++; next } { print }
                 END { for (k in n) printf "  %6d x %s\n", n[k], k }'
    else
      ONEDNN_MAX_CPU_ISA=$isa OMP_NUM_THREADS=$t "$build/onednn_gate" "$@"
    fi
  done
done
