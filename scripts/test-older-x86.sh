#!/usr/bin/env bash
# The real dispatcher on x86-64 CPUs this machine is not (qemu-user, whole Node process emulated):
#   -cpu Nehalem     (no AVX/AVX2): isa() must be 'scalar', runnableIsas() ['scalar'], ops correct;
#   -cpu Haswell-v4  (AVX2+FMA, no AVX-512): isa() must be 'avx2', ops correct on avx2 and scalar;
# and SWIGLU_ISA forcing an ISA the emulated CPU lacks is a load-time error, not a SIGILL.
#   bash scripts/test-older-x86.sh     (~1 min; installs qemu-user if missing)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
addon="${SWIGLU_ADDON:-$root/build/Release/swiglu.node}"
log() { echo "test-older-x86: $*"; }
if ! command -v qemu-x86_64 >/dev/null; then
  log "installing qemu-user"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-user >/dev/null
fi
[ -f "$addon" ] || (cd "$root" && npx cmake-js compile --log-level warn)
[ -f "$root/dist/lib/index.js" ] || (cd "$root" && npx tsc -p .)
node_bin=$(command -v node)
status=0
run() { # cpu expect [args]
  local cpu=$1 expect=$2; shift 2
  log "qemu-x86_64 -cpu $cpu: expecting $expect"
  SWIGLU_ADDON="$addon" qemu-x86_64 -cpu "$cpu" "$node_bin" "$root/test/reliability/ops-check.js" --expect-isa "$expect" --n 2048 "$@" \
    2> >(grep -v "TCG doesn't support requested feature" >&2) || status=1
}
run Nehalem scalar
run Haswell-v4 avx2 --all-isas
SWIGLU_ADDON="$addon" qemu-x86_64 -cpu Nehalem "$node_bin" -e "
  const sg = require('$root/dist/lib/index.js');
  const r = sg.runnableIsas();
  if (r.join() !== 'scalar') { console.error('runnableIsas() on Nehalem = ' + r); process.exit(1); }" 2>/dev/null || { log "FAIL: runnableIsas() on Nehalem"; status=1; }
for forced in "Nehalem avx2" "Haswell-v4 avx512"; do
  set -- $forced
  if SWIGLU_ISA=$2 SWIGLU_ADDON="$addon" qemu-x86_64 -cpu "$1" "$node_bin" -e "require('$root/dist/lib/index.js')" 2>/tmp/swiglu-x86-forced.log; then
    log "FAIL: SWIGLU_ISA=$2 loaded on $1"; status=1
  elif grep -q "SWIGLU_ISA=$2 cannot run here" /tmp/swiglu-x86-forced.log; then
    log "SWIGLU_ISA=$2 on $1: refused with an error (ok)"
  else
    log "FAIL: SWIGLU_ISA=$2 on $1:"; grep -v "TCG doesn't" /tmp/swiglu-x86-forced.log | tail -5; status=1
  fi
done
[ $status = 0 ] && log "ok" || log "FAILED"
exit $status
