#!/usr/bin/env bash
# Builds the testbed's real components from the official Go modules, once: each binary is cached
# under $SPILLWAY_CACHE/bin keyed by a hash of its module files, so a second run rebuilds nothing.
# Links run one at a time because each k8s link takes a few GiB. Prints where the binaries went and
# links them into .testbed/bin (kubectl included).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out="$root/.testbed/bin"
# shellcheck source=../scripts/go-build.sh
. "$root/scripts/go-build.sh"
mkdir -p "$out"

# build NAME MODULE_DIR PACKAGE LDFLAGS: into $out (cached, see scripts/go-build.sh)
build() { go_build "$1" "$2" "$3" "$4" "$out"; }

# `build.sh argocd`: only what the Argo CD tests run (make test builds it; the demo does not wait for it).
if [ "${1:-}" = argocd ]; then
  # Argo CD (application-controller, repo-server and the `argocd admin` CLI are one binary) needs
  # Go >= 1.27: that toolchain comes from the Go proxy as golang.org/toolchain, for this build only.
  argocd_toolchain=go1.27.4
  GOTOOLCHAIN=$argocd_toolchain build argocd "$here/go/argocd" github.com/argoproj/argo-cd/v3/cmd \
    "-s -w -X github.com/argoproj/argo-cd/v3/common.version=3.6.1 -X github.com/argoproj/argo-cd/v3/common.gitTreeState=clean"
  argocd_dir=$(cd "$here/go/argocd" && GOTOOLCHAIN=$argocd_toolchain go list -m -f '{{.Dir}}' github.com/argoproj/argo-cd/v3)
  mkdir -p "$root/.testbed/argocd-crds"
  cp -f "$argocd_dir/manifests/crds/application-crd.yaml" "$argocd_dir/manifests/crds/appproject-crd.yaml" "$root/.testbed/argocd-crds/"
  chmod u+w "$root/.testbed/argocd-crds"/*.yaml
  # The repo-server runs the scripts Argo CD's image puts on PATH (git-verify-wrapper.sh on every commit).
  install -m 0755 "$argocd_dir/hack/git-verify-wrapper.sh" "$argocd_dir/hack/gpg-wrapper.sh" "$out/"

  # Debian's redis-server, Argo CD's cache: unpacked from Debian's packages (apt-get download needs no
  # root), kept in the cache, run through a wrapper that points it at the unpacked libraries.
  redis_dir="$bin_cache/debian-redis"
  if [ ! -e "$redis_dir/usr/bin/redis-server" ]; then
    echo "build: redis-server from Debian (cached at $redis_dir)" >&2
    command -v apt-get >/dev/null || { echo "build: the Argo CD tests need Debian's redis-server; apt-get is missing" >&2; exit 1; }
    debs=$(mktemp -d) && chmod 755 "$debs" # apt fetches as its _apt user
    fetch() { (cd "$debs" && apt-get download -q redis-server redis-tools liblzf1 libjemalloc2 >&2); }
    if ! fetch; then
      [ "$(id -u)" = 0 ] || { echo "build: apt-get download redis-server failed; run apt-get update first" >&2; exit 1; }
      apt-get update -q >&2 && fetch
    fi
    rm -rf "$redis_dir.tmp" && mkdir -p "$redis_dir.tmp"
    for d in "$debs"/*.deb; do dpkg-deb -x "$d" "$redis_dir.tmp"; done
    rm -rf "$debs" "$redis_dir" && mv "$redis_dir.tmp" "$redis_dir"
  fi
  redis_libs=$(echo "$redis_dir"/usr/lib/*-linux-gnu)
  printf '#!/bin/sh\nLD_LIBRARY_PATH=%s exec %s "$@"\n' "$redis_libs" "$redis_dir/usr/bin/redis-server" > "$out/redis-server"
  chmod +x "$out/redis-server"
  echo "build: Argo CD in $out" >&2
  exit 0
fi

# `build.sh test-tools`: what only the e2e suite runs (make test builds it, make demo does not):
# Prometheus' promtool, which tests the chart's alert rules, without the service-discovery plugins
# (Prometheus' remove_all_sd tag: rules need none of them); and krew, which installs the kubectl
# plugin from its manifest and archive as a user would.
if [ "${1:-}" = test-tools ]; then
  GOFLAGS="$GOFLAGS -tags=remove_all_sd" build promtool "$here/go/promtool" github.com/prometheus/prometheus/cmd/promtool \
    "-s -w -X github.com/prometheus/common/version.Version=3.16.0"
  build krew "$here/go/krew" sigs.k8s.io/krew/cmd/krew "-s -w -X sigs.k8s.io/krew/internal/version.gitTag=v0.4.3"
  exit 0
fi

# `build.sh host-node`: what the host's real node runs (testbed/src/host-node.ts; make test, as root):
# the kubelet and kube-proxy from the same Kubernetes build as the control plane (one binary of
# their own, which the demo never links), the pause image's binary, CoreDNS for the cluster's DNS,
# and Debian's containerd, runc and CNI plugins.
if [ "${1:-}" = host-node ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    pkgs=()
    command -v containerd >/dev/null || pkgs+=(containerd)
    command -v runc >/dev/null || pkgs+=(runc)
    [ -x /usr/lib/cni/bridge ] || pkgs+=(containernetworking-plugins)
    command -v iptables >/dev/null || pkgs+=(iptables)
    command -v buildah >/dev/null || pkgs+=(buildah)
    if [ ${#pkgs[@]} -gt 0 ]; then
      echo "build: installing ${pkgs[*]} from Debian" >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${pkgs[@]}" >&2 ||
        { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${pkgs[@]}" >&2; }
    fi
  fi
  build kube-node "$here/go/kube" ./node "$(kube_ldflags "$here/go/kube")"
  for c in kubelet kube-proxy; do ln -sfn kube-node "$out/$c"; done
  CGO_ENABLED=0 build pause "$here/go/pause" . "-s -w"
  build coredns "$here/go/coredns" . "-s -w"
  exit 0
fi

build kube "$here/go/kube" . "$(kube_ldflags "$here/go/kube")"
for c in kube-apiserver fleet-informer kube-controller-manager kube-scheduler kubectl; do ln -sfn kube "$out/$c"; done
# The fleet apiserver the product ships (cmd/fleet-apiserver): the testbed runs that same build.
ln -sfn "$("$root/scripts/build-fleet-apiserver.sh")" "$out/fleet-apiserver"
build etcd "$here/go/etcd" . "-s -w"
build kwok "$here/go/kwok" sigs.k8s.io/kwok/cmd/kwok "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=v0.8.0"
build nats-server "$here/go/nats" github.com/nats-io/nats-server/v2 "-s -w"
build metrics-server "$here/go/metrics-server" sigs.k8s.io/metrics-server/cmd/metrics-server "-s -w"
build testbed-certs "$here/go/certs" . "-s -w"
build testbed-metrics-adapter "$here/go/metrics-adapter" . "-s -w"
# As Helm's own Makefile links it: the Kubernetes version `helm template` and `helm lint` assume
# without --kube-version is its client-go's (v0.37 → 1.37), not the source's fallback of 1.20.
helm_minor=$(awk '$1 == "k8s.io/client-go" {print $2}' "$here/go/helm/go.mod" | cut -d. -f2)
helm_k8s=""
for p in chartutil lint/rules; do
  helm_k8s+=" -X helm.sh/helm/v3/pkg/$p.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/$p.k8sVersionMinor=$helm_minor"
done
build helm "$here/go/helm" helm.sh/helm/v3/cmd/helm "-s -w -X helm.sh/helm/v3/internal/version.version=v3.22.0$helm_k8s"

# kwok's Stage and Metric manifests ship in its module, not its binary: copy the ones the testbed
# uses (the kubelet's /metrics/resource, pod usage from the kwok.x-k8s.io/usage-* annotations).
kwok_dir=$(cd "$here/go/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
stages="$root/.testbed/kwok-stages"
mkdir -p "$stages"
cp -f "$kwok_dir/kustomize/stage/node/fast/node-initialize.yaml" \
  "$kwok_dir/kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml" \
  "$kwok_dir/kustomize/stage/pod/fast/pod-ready.yaml" \
  "$kwok_dir/kustomize/stage/pod/fast/pod-complete.yaml" \
  "$kwok_dir/kustomize/stage/pod/fast/pod-delete.yaml" \
  "$kwok_dir/kustomize/metrics/resource/metrics-resource.yaml" \
  "$kwok_dir/kustomize/metrics/usage/usage-from-annotation.yaml" "$stages/"
chmod u+w "$stages"/*.yaml
echo "build: binaries in $out" >&2
