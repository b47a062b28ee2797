# Sourced by the builds of Go components (scripts/build-fleet-apiserver.sh, testbed/build.sh): one
# way to build a Go binary once and cache it under $SPILLWAY_CACHE/bin keyed by a hash of its
# module files, so a second run rebuilds nothing. Links run one at a time because each Kubernetes
# link takes a few GiB.
# shellcheck shell=bash
cache=${SPILLWAY_CACHE:-$HOME/.cache/spillway}
bin_cache="$cache/bin"
mkdir -p "$bin_cache"
export GOFLAGS="${GOFLAGS:-} -trimpath"
export GOTOOLCHAIN=${GOTOOLCHAIN:-local}

# kube_ldflags MODULE_DIR: the version stamps of a Kubernetes build (k8s.io/kubernetes's version in
# that module), which kube-apiserver reports and checks its emulation version against.
kube_ldflags() {
  local version minor flags="-s -w" p
  version=$(awk '$1 == "k8s.io/kubernetes" || ($1 == "require" && $2 == "k8s.io/kubernetes") {print $NF; exit}' "$1/go.mod")
  [ -n "$version" ] || { echo "build: cannot read the k8s.io/kubernetes version from $1/go.mod" >&2; return 1; }
  minor=$(echo "$version" | cut -d. -f2)
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $p.gitVersion=$version -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  echo "$flags"
}

# go_build NAME MODULE_DIR PACKAGE LDFLAGS OUT_DIR: builds (or finds cached) and links OUT_DIR/NAME.
go_build() {
  local name=$1 dir=$2 pkg=$3 ldflags=$4 out=$5
  local hash target start
  # A package below the module (./node) is hashed with it.
  hash=$( (cat "$dir"/go.mod "$dir"/go.sum "$dir"/*.go "$dir/$pkg"/*.go 2>/dev/null; echo "$ldflags"; go env GOVERSION) | sha256sum | cut -c1-16)
  target="$bin_cache/$name-$hash"
  if [ ! -x "$target" ]; then
    echo "build: $name (cached at $target)" >&2
    start=$SECONDS
    (cd "$dir" && go build -ldflags "$ldflags" -o "$target.tmp" "$pkg") || { echo "build: $name FAILED" >&2; return 1; }
    mv "$target.tmp" "$target"
    echo "build: $name took $((SECONDS - start))s" >&2
  fi
  mkdir -p "$out"
  ln -sfn "$target" "$out/$name"
}
