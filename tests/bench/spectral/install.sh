#!/bin/sh
# Install the pinned Spectral CLI under PREFIX (idempotent) and print the path of its binary.
#
#   tests/bench/spectral/install.sh PREFIX
#
# Exit 77 (ctest's "skipped") when npm is not installed; 1 when the install fails.
# Pure JavaScript: no dependency compiles native code, so no toolchain is needed.
# --ignore-scripts: the only install script in the tree is @scarf/scarf's install analytics
# ping, which Spectral does not need (SCARF_ANALYTICS=false disables it too).
set -eu

SPECTRAL_VERSION=6.16.3

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 PREFIX" >&2
  exit 2
fi
prefix=$1

if ! command -v npm >/dev/null 2>&1; then
  echo "$0: npm is not installed; skipping (apt-get install npm)" >&2
  exit 77
fi

mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
bin=$prefix/node_modules/.bin/spectral

installed=
if [ -x "$bin" ]; then
  installed=$(node -p 'require(process.argv[1]).version' \
    "$prefix/node_modules/@stoplight/spectral-cli/package.json" 2>/dev/null || true)
fi

if [ "$installed" != "$SPECTRAL_VERSION" ]; then
  SCARF_ANALYTICS=false npm install --prefix "$prefix" --save-exact --ignore-scripts \
    --no-audit --no-fund --loglevel=error \
    "@stoplight/spectral-cli@$SPECTRAL_VERSION" >&2 || {
    echo "$0: npm install of @stoplight/spectral-cli@$SPECTRAL_VERSION failed" >&2
    exit 1
  }
fi

version=$("$bin" --version 2>/dev/null || true)
if [ "$version" != "$SPECTRAL_VERSION" ]; then
  echo "$0: $bin reports version '$version', expected $SPECTRAL_VERSION" >&2
  exit 1
fi
echo "$bin"
