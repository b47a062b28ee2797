# One image for the five services and the fleet apiserver (they ship together, so six images would
# hold the same bytes six times); each Deployment of the chart runs its own
# `node services/<name>/src/main.ts`, the command the testbed runs, and cluster-gateway's pod runs
# `fleet-apiserver` beside it. TypeScript runs unbuilt on the pinned Node (type stripping): the
# image holds the sources and production dependencies only.
#
# The fleet apiserver is kube-apiserver's code (cmd/fleet-apiserver), built by the repository's Go
# build as Kubernetes' own images are built, from a binary made outside the image build:
#
#   make fleet-apiserver && docker build -t spillway:dev .   (or: make image, without Docker)
ARG NODE_IMAGE=docker.io/library/node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS deps
# A build behind a TLS-inspecting proxy passes its CA bundle here (mounted, never kept in the image).
ARG NODE_EXTRA_CA_CERTS
WORKDIR /app
RUN npm install --global --no-audit --no-fund pnpm@10.34.9
COPY . .
# Production dependencies of every workspace package; no dev tools, no tests.
RUN pnpm install --frozen-lockfile --prod --config.confirmModulesPurge=false \
 && rm -rf /root/.local/share/pnpm /root/.cache .build

FROM ${NODE_IMAGE}
WORKDIR /app
COPY --from=deps /app /app
COPY .build/image/fleet-apiserver /usr/local/bin/fleet-apiserver
ENV NODE_ENV=production
# Non-root, matching the chart's securityContext (runAsUser 65532).
USER 65532:65532
CMD ["node", "--version"]
