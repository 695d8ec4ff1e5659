#!/usr/bin/env bash
# The whole vitest suite against the addon built with AddressSanitizer + UBSan (CMake option
# SWIGLU_SANITIZE), the gcc ASan runtime preloaded into the test processes, leak detection on.
#   bash scripts/test-asan.sh          # ~2-4 min; builds build-asan/ (incremental afterwards)
# vitest itself runs under the preloaded runtime with test files in worker threads (see
# test/reliability/vitest.asan.config.mts for why not forks); child processes the tests spawn inherit
# the sanitizer environment. Reports go to files (ASAN_OPTIONS log_path, one per process).
# Clean means: every test passes, no ASan or UBSan report at all, and no leak whose allocation stack
# passes through swiglu.node. Leaks with no swiglu.node frame are Node's own (V8 heap pages, handles
# left by processes that exit with process.exit or an uncaught error, vitest's bundler binding): they
# are listed as ignored, not failed. This filter stands in for a suppressions file, which cannot
# express "not through our module" (a frame-pattern suppression such as leak:v8::internal would also
# hide our leaks, whose stacks pass through V8). test/reliability/lsan.supp holds one entry, for a
# leak of Node's own that does pass through our frames (see the file).
# Not used: detect_stack_use_after_return=1 (Node itself segfaults under it).
# First, a planted leak in a throwaway addon must be reported: proof that leak detection is live.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
log() { echo "test-asan: $*"; }
build="$root/build-asan"
logs=$(mktemp -d "${TMPDIR:-/tmp}/swiglu-asan.XXXXXX")
keep_logs=0
trap '[ $keep_logs = 1 ] && echo "test-asan: logs kept in $logs" || rm -rf "$logs"' EXIT

log "building the ASan+UBSan addon into $build"
npx cmake-js compile -O "$build" --CDSWIGLU_SANITIZE=ON --log-level error >"$logs/build.log" 2>&1 || { tail -40 "$logs/build.log"; exit 1; }
[ -f dist/lib/index.js ] || npx tsc -p .

preload=$(g++ -print-file-name=libasan.so)
[ -f "$preload" ] || { log "no libasan.so from g++ -print-file-name"; exit 1; }
export SWIGLU_ADDON="$build/Release/swiglu.node"
# halt on the first memory error; leak reports do not change exit statuses (judged below)
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=1:check_initialization_order=1:log_path=$logs/asan"
export LSAN_OPTIONS="exitcode=0:suppressions=$root/test/reliability/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan"
# The addon is preloaded too: Node unloads an addon when the last worker thread using it exits, and a
# leak's stack frames in an unloaded module can no longer be attributed (they print as <unknown module>).
vitest() { LD_PRELOAD="$preload $SWIGLU_ADDON ${SWIGLU_ASAN_CANARY:-}" node "$root/node_modules/vitest/vitest.mjs" run --config test/reliability/vitest.asan.config.mts "$@"; }

# judge the report files: prints them, returns 1 if any counts. $1: a module name whose leaks count
judge() { # $1: an ERE matched against stack frames: leaks with such a frame count
  local ours=$1 bad=0 f
  for f in "$logs"/ubsan.* "$logs"/asan.*; do
    [ -f "$f" ] || continue
    if grep -q "ERROR: AddressSanitizer\|runtime error:\|ERROR: UndefinedBehavior" "$f"; then
      log "sanitizer error in $(basename "$f"):"; head -60 "$f"; bad=1; continue
    fi
    # split the leak report into blocks; a block counts if a frame is in our module
    if awk -v ours="$ours" '/^(Direct|Indirect) leak/ { if (blk != "" && blk ~ ours) { print blk; found = 1 } blk = $0 "\n"; next }
        blk != "" { blk = blk $0 "\n" }
        END { if (blk != "" && blk ~ ours) { print blk; found = 1 } exit found ? 0 : 1 }' "$f" >"$f.ours"; then
      log "leak through the addon in $(basename "$f"):"; head -80 "$f.ours"; bad=1
    else
      n=$(grep -c "^\(Direct\|Indirect\) leak" "$f" || true)
      [ "$n" -gt 0 ] && log "ignored $n leak record(s) in $(basename "$f") with no frame in the addon (Node's own)"
    fi
  done
  return $bad
}

# -- canary: a planted leak in a throwaway addon must be reported --
cat >"$logs/leak.c" <<'C'
#include <stdlib.h>
#include <node_api.h>
static void* volatile sink;
static napi_value Leak(napi_env env, napi_callback_info info) {
  (void)info;
  for (int i = 0; i < 64; i++) { char* p = malloc(4242); p[0] = 1; sink = p; }  /* 63+ unreachable */
  sink = 0;
  napi_value r; napi_create_int32(env, 1, &r); return r;
}
NAPI_MODULE_INIT() {
  napi_value fn; napi_create_function(env, "leak", NAPI_AUTO_LENGTH, Leak, NULL, &fn);
  napi_set_named_property(env, exports, "leak", fn); return exports;
}
C
gcc -shared -fPIC -O0 -g -fsanitize=address -I node_modules/node-api-headers/include -o "$logs/canary-leak.node" "$logs/leak.c"
SWIGLU_ASAN_CANARY="$logs/canary-leak.node" vitest >"$logs/canary.out" 2>&1 || true
if judge "leak\\.c|canary-leak" >/dev/null; then
  log "FAIL: the planted leak was not reported: leak detection is not live"; tail -30 "$logs/canary.out"; keep_logs=1; exit 1
fi
log "canary: the planted leak was reported (leak detection is live)"
rm -f "$logs"/asan.* "$logs"/ubsan.*

# -- the whole suite --
log "running the whole vitest suite against $SWIGLU_ADDON"
status=0
t0=$(date +%s)
vitest "$@" >"$logs/suite.out" 2>&1 || status=1
sed 's/\x1b\[[0-9;]*m//g' "$logs/suite.out" | grep -E "Test Files|Tests " || { log "no vitest summary (crashed?):"; tail -30 "$logs/suite.out"; }
# judged on the text with colour codes removed (vitest may colour even when writing to a file)
sed 's/\x1b\[[0-9;]*m//g' "$logs/suite.out" | grep -Eq "Test Files +[0-9]+ passed" || status=1
judge "swiglu\\.node|$root/native/" || status=1
log "$(($(date +%s) - t0)) s"
if [ $status = 0 ]; then log "clean: all tests passed; no ASan/UBSan report; no leak through swiglu.node"
else log "FAILED"; sed 's/\x1b\[[0-9;]*m//g' "$logs/suite.out" | grep -E "FAIL|×|Error" | head -40; keep_logs=1; fi
exit $status
