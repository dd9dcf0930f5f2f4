# One image for every kubette component: `node dist/<component>/main.js`.
# Build stage: dev dependencies and the TypeScript build. Run stage: production dependencies
# and the compiled JavaScript only, plus iptables for the proxy. Components run as the
# unprivileged user kubette (uid 10001) unless compose says otherwise (the kubelet needs the
# Docker socket, the proxy needs iptables).
#
# NODE_IMAGE is any Debian bookworm image with Node.js 20 and npm: node:20-bookworm-slim on a
# machine with a registry, or kubette/node:20-bookworm built from local parts by
# `scripts/build-images.sh --all` on an air-gapped one.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-fund --no-audit
COPY tsconfig.json tsconfig.build.json ./
COPY api api
COPY client client
COPY component-base component-base
COPY apiserver apiserver
COPY scheduler scheduler
COPY controller-manager controller-manager
COPY kubelet kubelet
COPY proxy proxy
COPY dns dns
COPY metrics-server metrics-server
COPY simulated-nodes simulated-nodes
COPY launcher launcher
COPY test/harness test/harness
COPY bench bench
COPY scripts/bundle-components.mjs scripts/
# Each component's entry point becomes one file (scripts/bundle-components.mjs says why).
RUN npx tsc -p tsconfig.build.json && node scripts/bundle-components.mjs && npm prune --omit=dev --no-fund --no-audit

FROM ${NODE_IMAGE}
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends iptables ca-certificates >/dev/null \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && (getent passwd 10001 >/dev/null || useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin kubette)
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/dist dist
USER 10001
COPY scripts/node-entrypoint.sh /usr/local/bin/kubette-node
# Each component's heap flags (component-base/heap.ts nodeFlags).
ENTRYPOINT ["/usr/local/bin/kubette-node"]
