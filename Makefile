# Spillway — the two commands that matter on a fresh machine:
#   make demo   install, build, bring up the local federation, start the services, apply the samples
#               (make story then plays a fleet-wide rollout and the autoscaler on it)
#   make test   everything: lint, type-check, generated-code check, unit tests, e2e on a testbed
# and `make down` to stop what `make demo` started.
#
# Caches (all reused across runs, safe to delete): $(SPILLWAY_CACHE) for Node, pnpm and the
# built Kubernetes/etcd/kwok/NATS binaries; Go's own caches (go env GOCACHE GOMODCACHE); pnpm's store.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export SPILLWAY_CACHE ?= $(HOME)/.cache/spillway
TOOLCHAIN = eval "$$(scripts/toolchain.sh)"
# The e2e federation of `make test` runs beside a demo: its own state dir and ports.
E2E_ENV = SPILLWAY_TESTBED_DIR=$(CURDIR)/.testbed/e2e SPILLWAY_TESTBED_PORT_BASE=27000 SPILLWAY_TESTBED_POD_READY_DELAY_MS=2000 SPILLWAY_TESTBED_METRICS=1 SPILLWAY_E2E_KUBECONFIG=$(CURDIR)/.testbed/e2e/kubeconfig SPILLWAY_E2E_LOG_DIR=$(CURDIR)/.testbed/e2e/service-logs \
	SPILLWAY_TESTBED_HOST_NODE=$(HOST_NODE)
# As root, the e2e host gets a real node (kubelet, containerd) and the chart's pods run on it.
HOST_NODE ?= $(if $(filter 0,$(shell id -u)),1,0)

.PHONY: setup install binaries fleet-apiserver argocd test-tools host-node demo story down test lint typecheck verify-generated test-unit test-e2e testbed-up testbed-down generate image

setup: install binaries

install:
	@$(TOOLCHAIN); pnpm install --frozen-lockfile --reporter=append-only

binaries:
	@testbed/build.sh

# The fleet apiserver (cmd/fleet-apiserver), the product's Go component: into .build/bin.
fleet-apiserver:
	@scripts/build-fleet-apiserver.sh >/dev/null

# Argo CD, Debian's redis-server and Argo CD's CRDs, for the Argo CD tests only.
argocd:
	@testbed/build.sh argocd

# The host's real node (kubelet, kube-proxy, pause; Debian's containerd, runc and CNI plugins as root).
host-node:
	@testbed/build.sh host-node

# Prometheus' promtool and krew, for the e2e suite only.
test-tools:
	@testbed/build.sh test-tools

demo: setup
	@$(TOOLCHAIN); node demo/src/main.ts

# The demo's stories, on the federation `make demo` brought up: a fleet-wide rollout, then the autoscaler.
story:
	@$(TOOLCHAIN); node demo/src/story.ts

down:
	@$(TOOLCHAIN); node testbed/src/cli.ts down

testbed-up: setup
	@$(TOOLCHAIN); node testbed/src/cli.ts up

testbed-down: down

# The services' container image from ./Dockerfile, without a Docker engine (buildah; root).
image:
	@scripts/build-image.sh $(IMAGE)

generate: install
	@$(TOOLCHAIN); pnpm run generate

lint: install
	@$(TOOLCHAIN); pnpm run lint

typecheck: install
	@$(TOOLCHAIN); pnpm run typecheck

verify-generated: install
	@$(TOOLCHAIN); pnpm run verify:generated

test-unit: install
	@$(TOOLCHAIN); pnpm run test:unit

# Brings up its own federation, runs the suite, and always takes the federation down again.
test-e2e: setup argocd test-tools host-node
	@$(TOOLCHAIN); export $(E2E_ENV); \
	rm -rf "$$SPILLWAY_E2E_LOG_DIR"; \
	node testbed/src/cli.ts up; \
	status=0; pnpm run test:e2e || status=$$?; \
	node testbed/src/cli.ts down; \
	exit $$status

test: setup lint typecheck verify-generated test-unit test-e2e
