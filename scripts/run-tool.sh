#!/bin/sh
# Builds one native tool (native/tools/<name>.cc) with plain cmake (Release) in build/tools and runs it
# with the remaining arguments; the build's output is shown only if the build fails (exit 2).
#   sh scripts/run-tool.sh TARGET [ARGS...]
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
target=$1
shift
build="$root/build/tools"
mkdir -p "$build"
if ! { cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release && cmake --build "$build" --target "$target" -j 2; } \
    >"$build/$target-build.log" 2>&1; then
  cat "$build/$target-build.log" >&2
  exit 2
fi
exec "$build/$target" "$@"
