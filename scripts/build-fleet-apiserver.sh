#!/usr/bin/env bash
# Builds the fleet apiserver (cmd/fleet-apiserver), the product's one Go component, once: cached
# under $SPILLWAY_CACHE/bin by a hash of its module, linked as .build/bin/fleet-apiserver. The
# image (make image) and the testbed both take it from there.
#
#   scripts/build-fleet-apiserver.sh        prints the binary's path
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=go-build.sh
. "$root/scripts/go-build.sh"
dir="$root/cmd/fleet-apiserver"
go_build fleet-apiserver "$dir" . "$(kube_ldflags "$dir")" "$root/.build/bin"
readlink -f "$root/.build/bin/fleet-apiserver"
