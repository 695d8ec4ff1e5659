#!/usr/bin/env bash
# The NEON path for real: the addon cross-compiled for aarch64 (g++-aarch64-linux-gnu, Node-API
# headers from node-api-headers, NAPI_VERSION 8 <= the 9 of Debian's arm64 Node 18), loaded by that
# arm64 Node under qemu-user, every op checked against the reference (test/reliability/ops-check.js),
# isa() must say 'neon'; once under -cpu cortex-a53 (plain ARMv8.0) and once under the default CPU.
#   bash scripts/test-arm64.sh            # CI and developers alike (~1-2 min; first run installs packages)
#   SWIGLU_ARM64_ROOT=/path bash scripts/test-arm64.sh   # where the arm64 Node is laid out (default /tmp)
# Needs root for apt (installs, idempotently: qemu-user g++-aarch64-linux-gnu; arm64 dpkg architecture).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sysroot="${SWIGLU_ARM64_ROOT:-${TMPDIR:-/tmp}/swiglu-arm64-root}"
build="$root/build-arm64"
log() { echo "test-arm64: $*"; }

# -- packages (check, then install) --
need=()
command -v qemu-aarch64 >/dev/null || need+=(qemu-user)
command -v aarch64-linux-gnu-g++ >/dev/null || need+=(g++-aarch64-linux-gnu)
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
  updated=0
else
  updated=1
fi
if [ ${#need[@]} -gt 0 ] || [ "$updated" = 0 ]; then
  log "installing: ${need[*]:-(arm64 package lists)}"
  apt-get update -qq
  [ ${#need[@]} -gt 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# -- Debian's arm64 Node 18 laid out in a folder (no arm64 package installed into the system) --
if [ ! -x "$sysroot/usr/bin/node" ]; then
  log "laying out arm64 Node in $sysroot"
  if ! sh "$root/scripts/arm64-sysroot.sh" "$sysroot" >/tmp/swiglu-arm64-sysroot.log 2>&1; then
    # the package lists may predate the arm64 architecture: refresh once and retry
    apt-get update -qq
    sh "$root/scripts/arm64-sysroot.sh" "$sysroot" >/tmp/swiglu-arm64-sysroot.log 2>&1 || { cat /tmp/swiglu-arm64-sysroot.log; exit 1; }
  fi
fi

# -- the addon, cross-compiled (cmake-js with a toolchain file) and the compiled JS --
log "cross-compiling the addon for aarch64 into $build"
(cd "$root" && npx cmake-js compile -O "$build" -a arm64 \
  --CDCMAKE_TOOLCHAIN_FILE="$root/scripts/aarch64-linux-gnu.cmake" --log-level error >/tmp/swiglu-arm64-build.log 2>&1) \
  || { tail -40 /tmp/swiglu-arm64-build.log; exit 1; }
addon="$build/Release/swiglu.node"
readelf -h "$addon" 2>/dev/null | grep -q "AArch64" || { log "FAIL: $addon is not an aarch64 object"; exit 1; }
[ -f "$root/dist/lib/index.js" ] || (cd "$root" && npx tsc -p .)

node18() { qemu-aarch64 -L "$sysroot" "$@" "$sysroot/usr/bin/node"; }
status=0
for cpu in cortex-a53 max; do
  log "qemu-aarch64 -cpu $cpu: Node $(qemu-aarch64 -L "$sysroot" -cpu $cpu "$sysroot/usr/bin/node" -p 'process.version + " " + process.arch + " napi " + process.versions.napi')"
  SWIGLU_ADDON="$addon" qemu-aarch64 -L "$sysroot" -cpu $cpu "$sysroot/usr/bin/node" \
    "$root/test/reliability/ops-check.js" --expect-isa neon --n 2048 --all-isas || status=1
done
# an x86 ISA forced on arm64 is an error at load, not a crash
if SWIGLU_ISA=avx2 SWIGLU_ADDON="$addon" qemu-aarch64 -L "$sysroot" -cpu cortex-a53 "$sysroot/usr/bin/node" \
    -e "require('$root/dist/lib/index.js')" 2>/tmp/swiglu-arm64-forced.log; then
  log "FAIL: SWIGLU_ISA=avx2 loaded on arm64"; status=1
elif grep -q "SWIGLU_ISA=avx2 cannot run here" /tmp/swiglu-arm64-forced.log; then
  log "SWIGLU_ISA=avx2 on arm64: refused with an error (ok)"
else
  log "FAIL: SWIGLU_ISA=avx2 on arm64 did not give the expected error:"; cat /tmp/swiglu-arm64-forced.log; status=1
fi
[ $status = 0 ] && log "ok" || log "FAILED"
exit $status
