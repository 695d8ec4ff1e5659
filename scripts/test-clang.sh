#!/usr/bin/env bash
# The addon built with clang instead of g++, warning-free, and the whole vitest suite against it.
#   bash scripts/test-clang.sh [vitest args]   # builds build-clang/ (incremental afterwards)
# Uses Debian's `clang` package (the distribution's default clang; installed if missing): CMakeLists.txt
# has flags of its own for Clang, and this is where they are exercised. Any compiler warning fails the
# build step, as the g++ build keeps none either. The suite runs with SWIGLU_ADDON pointing at this
# build, so every test, and every child process a test starts, loads the clang-built addon.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
log() { echo "test-clang: $*"; }
bash scripts/apt-ensure.sh clang
build="$root/build-clang"
log "$(clang++ --version | head -1)"
log "building the addon with clang into $build"
blog=$(mktemp "${TMPDIR:-/tmp}/swiglu-clang-build.XXXXXX")
trap 'rm -f "$blog"' EXIT
if ! npx cmake-js compile -O "$build" --cc clang --cxx clang++ --log-level warn >"$blog" 2>&1; then
  tail -40 "$blog"; log "FAILED: the clang build"; exit 1
fi
grep -q "^CMAKE_CXX_COMPILER:.*clang++" "$build/CMakeCache.txt" || { log "FAILED: $build was not configured with clang++"; exit 1; }
if grep -E "warning:" "$blog"; then log "FAILED: clang warns (above)"; exit 1; fi
[ -f dist/lib/index.js ] || npx tsc -p .
export SWIGLU_ADDON="$build/Release/swiglu.node"
log "running the vitest suite against $SWIGLU_ADDON"
npx vitest run "$@"
