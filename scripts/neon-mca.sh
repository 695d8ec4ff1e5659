#!/usr/bin/env bash
# Static speed estimate of the NEON hot loops, for a repository no machine of which is arm64
# (docs/neon-estimates.md holds the figures and how to read them).
#   bash scripts/neon-mca.sh                 # table on stdout; listings + llvm-mca reports in $OUT
#   CPUS="neoverse-n1 apple-m1" bash scripts/neon-mca.sh
# Compiles native/isa/neon.cc for aarch64 twice, with the flags CMakeLists.txt gives the neon unit:
# g++ (the Linux arm64 build) and Clang (what macOS builds with; Apple M1), extracts by symbol the
# GEMM tile k-loops (R = 6 and R = 1, f32/bf16/f16 weights) and the silu, gelu and geluTanh main
# loops (scripts/neon-mca.py), and runs llvm-mca on each.
# Needs: g++-aarch64-linux-gnu, clang-19, llvm-19 (installed with apt when missing: root or sudo).
# LLVM 19, not Debian's default 14: LLVM 14 has no Neoverse N1 model (-mcpu=neoverse-n1 falls back
# to the Cortex-A57 one, 10-cycle fmla). No LLVM has an Apple Firestorm model: -mcpu=apple-m1 is the
# 2013 Cyclone model (2 FMA pipes, fdiv in 2 cycles); read that column with the caveats of the doc.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
LLVM_VER=${LLVM_VER:-19}
CPUS=${CPUS:-"neoverse-n1 apple-m1 neoverse-v1"}
OUT=${OUT:-${TMPDIR:-/tmp}/swiglu-neon-mca}
bash scripts/apt-ensure.sh g++-aarch64-linux-gnu "clang-$LLVM_VER" "llvm-$LLVM_VER"
MCA=$(command -v "llvm-mca-$LLVM_VER" || echo "/usr/lib/llvm-$LLVM_VER/bin/llvm-mca")
mkdir -p "$OUT"

# The neon units' flags (CMakeLists.txt: SWIGLU_COMMON_FLAGS, SWIGLU_FLAGS_neon, the scheduler flags, and
# the GEMM unit's own COMPILE_OPTIONS), one listing per compiler (both units: the symbols are distinct).
common=(-std=c++17 -O2 -ffp-contract=off -fno-math-errno -fno-trapping-math -march=armv8-a -DSWIGLU_HAVE_NEON=1)
units=(neon)
[ -f native/isa/neon_gemm.cc ] && units+=(neon_gemm)
gemm_opts=$(sed -n 's/.*_gemm\.cc PROPERTIES COMPILE_OPTIONS \([^)]*\)).*/\1/p' CMakeLists.txt)
: >"$OUT/all.gcc.s"
: >"$OUT/all.clang.s"
for u in "${units[@]}"; do
  extra=()
  [ "$u" = neon_gemm ] && [ -n "$gemm_opts" ] && read -r -a extra <<<"$gemm_opts"
  aarch64-linux-gnu-g++ "${common[@]}" -fschedule-insns -fsched-pressure "${extra[@]}" -S "native/isa/$u.cc" -o "$OUT/$u.gcc.s"
  # Clang has no -fsched-pressure, ignores -fschedule-insns (it schedules before register allocation anyway).
  "clang++-$LLVM_VER" --target=aarch64-linux-gnu "${common[@]}" -S "native/isa/$u.cc" -o "$OUT/$u.clang.s"
  cat "$OUT/$u.gcc.s" >>"$OUT/all.gcc.s"
  cat "$OUT/$u.clang.s" >>"$OUT/all.clang.s"
done

echo "# $(aarch64-linux-gnu-g++ --version | head -1)"
echo "# $("clang++-$LLVM_VER" --version | head -1)"
echo "# $("$MCA" --version | grep -i 'llvm version' | sed 's/^ *//')"
echo "# flags: ${common[*]}; g++ also -fschedule-insns -fsched-pressure${gemm_opts:+ (GEMM unit: + $gemm_opts)}"
echo "# cyc/it: llvm-mca cycles per loop iteration (1000 iterations). 'per k or elt': GEMM, cycles per k step"
echo "# of the whole 32-column panel (both passes); elementwise, cycles per float. FMA bound in the same unit."
python3 scripts/neon-mca.py table "$OUT/all.gcc.s" "$OUT/all.clang.s" "$OUT" "$MCA" $CPUS
echo "# loop listings and full llvm-mca reports: $OUT"
