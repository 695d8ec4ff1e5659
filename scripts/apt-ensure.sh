#!/usr/bin/env bash
# apt-ensure.sh PKG... — installs the Debian packages that are missing (CI runs as root on a fresh
# machine; a developer's machine may already have them). Runs `apt-get update` at most once.
set -euo pipefail
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
stamp=/tmp/.swiglu-apt-updated
if [ ! -e "$stamp" ]; then
  $SUDO apt-get update -qq
  touch "$stamp"
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
