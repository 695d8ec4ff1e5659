#!/bin/sh
# Unpacks Debian's arm64 Node.js, with the shared libraries and the bundled JS modules it loads, into a
# folder that qemu-aarch64 then uses as its root for dynamic loading:
#   sh scripts/arm64-sysroot.sh DIR
#   qemu-aarch64 -L DIR DIR/usr/bin/node -p process.arch     # arm64
# Nothing is installed into the system: the .deb files are fetched with `apt-get download` into a
# temporary folder and extracted with `dpkg-deb -x`. apt must know the arm64 architecture and have its
# package lists (dpkg --add-architecture arm64 && apt-get update); scripts/test-arm64.sh does that.
set -eu
dest=${1:?usage: sh scripts/arm64-sysroot.sh DIR}

# Debian 12's nodejs (18.x, Node-API 9) and what its binary links against, as arm64 packages ...
arm64_libs="nodejs libnode108 libc6 libgcc-s1 libstdc++6 libbrotli1 libc-ares2 libicu72 libnghttp2-14
libssl3 libuv1 zlib1g"
# ... and the JavaScript modules Debian ships outside the node binary (architecture-independent).
js_modules="node-acorn node-cjs-module-lexer node-undici node-busboy node-xtend"

debs=$(mktemp -d)
trap 'rm -rf "$debs"' EXIT
pkgs=""
for p in $arm64_libs; do pkgs="$pkgs $p:arm64"; done
# shellcheck disable=SC2086 # the lists are meant to split into words
(cd "$debs" && apt-get download $pkgs $js_modules)

mkdir -p "$dest"
for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$dest"; done
[ -x "$dest/usr/bin/node" ] || { echo "arm64-sysroot: no usr/bin/node in $dest after unpacking" >&2; exit 1; }
