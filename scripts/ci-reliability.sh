#!/usr/bin/env bash
# The reliability checks (fuzzing, worker threads, async lifetime, memory, a pack shared by workers,
# ASan+UBSan, arm64 under qemu, older x86), CI-sized, one after the other; exits non-zero if any fails.
# Called by .ci/run.
#   bash scripts/ci-reliability.sh            # all (~6-8 min on 2 cores, first run + apt installs)
#   bash scripts/ci-reliability.sh fuzz asan  # a subset: fuzz threads async memory sharing asan arm64 x86
# Env: SWIGLU_FUZZ_SEED (default 1), SWIGLU_FUZZ_CALLS (default 20000).
# Needs root for apt (qemu-user, g++-aarch64-linux-gnu, arm64 dpkg architecture; installed idempotently
# by the scripts that need them).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(fuzz threads async memory sharing asan arm64 x86)
log() { echo "ci-reliability: $*"; }

log "building the addon and the library"
npx cmake-js compile --log-level warn >/tmp/swiglu-ci-build.log 2>&1 || { tail -40 /tmp/swiglu-ci-build.log; exit 1; }
npx tsc -p . || exit 1
export SWIGLU_ADDON="$root/build/Release/swiglu.node"

declare -A result secs
run() { # name command...
  local name=$1; shift
  local t0=$(date +%s)
  log "---- $name: $*"
  if "$@"; then result[$name]=ok; else result[$name]=FAILED; fi
  secs[$name]=$(($(date +%s) - t0))
  log "---- $name: ${result[$name]} in ${secs[$name]} s"
}
for s in "${steps[@]}"; do
  case $s in
    fuzz) run fuzz node scripts/fuzz.js --calls "${SWIGLU_FUZZ_CALLS:-20000}" --seed "${SWIGLU_FUZZ_SEED:-1}" ;;
    threads) run threads node test/reliability/threads.js --seconds 10 --workers 8 --generations 4 ;;
    async) run async node --expose-gc test/reliability/async-lifetime.js --rounds 200 ;;
    memory) run memory node --expose-gc test/reliability/memory.js --calls 1000000 --packs 1000 ;;
    # 1 and 8 workers on one shared 22 MiB pack must add under half a pack (docs/workers.md)
    sharing) run sharing node scripts/pack-sharing-memory.js --rounds 1 --workers 1,8 --check ;;
    asan) run asan env -u SWIGLU_ADDON bash scripts/test-asan.sh ;;
    arm64) run arm64 bash scripts/test-arm64.sh ;;
    x86) run x86 bash scripts/test-older-x86.sh ;;
    *) log "unknown step $s"; exit 2 ;;
  esac
done
status=0
log "summary:"
for s in "${steps[@]}"; do
  printf 'ci-reliability:   %-8s %-7s %4s s\n' "$s" "${result[$s]}" "${secs[$s]}"
  [ "${result[$s]}" = ok ] || status=1
done
exit $status
