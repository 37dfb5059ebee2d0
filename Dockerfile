# One image per service, from one Dockerfile:
#   docker build --build-arg SERVICE=ingest -t healthstream-ingest .   (SERVICE: ingest, validator,
#   aggregator or lake-writer; default lake-writer)
# Node 24 runs the TypeScript sources directly (type stripping): no build step, no native addons.
# The image holds the service and exactly the workspaces its production dependencies reach
# (tools/containers/image-workspaces.ts), without tests or dev dependencies.
ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS build
ARG SERVICE=lake-writer
WORKDIR /app
# Manifests first, so `npm ci` is cached until a manifest or the lock file changes
COPY package.json package-lock.json ./
COPY packages/shared/package.json packages/shared/
COPY packages/iceberg/package.json packages/iceberg/
COPY packages/parquet/package.json packages/parquet/
COPY packages/ops/package.json packages/ops/
COPY packages/simulator/package.json packages/simulator/
COPY packages/testkit/package.json packages/testkit/
COPY services/ingest/package.json services/ingest/
COPY services/validator/package.json services/validator/
COPY services/aggregator/package.json services/aggregator/
COPY services/lake-writer/package.json services/lake-writer/
COPY tools/package.json tools/
RUN npm ci --omit=dev --no-audit --no-fund --workspace services/${SERVICE}
# Sources (.dockerignore keeps tests, docs, tools and local state out)
COPY packages packages
COPY services services
COPY tools/containers/image-workspaces.ts /tmp/image-workspaces.ts
RUN node /tmp/image-workspaces.ts prune ${SERVICE} /app \
    && npm prune --omit=dev --no-audit --no-fund && rm -rf /root/.npm

FROM ${NODE_IMAGE}
ARG SERVICE=lake-writer
# tini as PID 1 forwards SIGTERM, so `docker stop` lets the service commit or abort its transaction.
# jemalloc as the C allocator: glibc kept 70-180 MiB of freed fetch and produce buffers per service
# after load, jemalloc gives them back (BENCHMARKS.md, "Memory after load"); linked at a fixed path.
RUN { command -v tini && ls /usr/lib/*/libjemalloc.so.2; } >/dev/null 2>&1 \
    || { apt-get update && apt-get install -y --no-install-recommends tini libjemalloc2 \
      && rm -rf /var/lib/apt/lists/*; } \
    && ln -sf "$(ls /usr/lib/*/libjemalloc.so.2 | head -n 1)" /usr/local/lib/libjemalloc.so.2
ENV NODE_ENV=production \
    LD_PRELOAD=/usr/local/lib/libjemalloc.so.2 \
    SERVICE=${SERVICE} \
    HTTP_PORT=8080 \
    HOME=/tmp \
    # Read by the lake-writer only: its embedded lake on the /data volume (the root is read-only)
    LAKE_CATALOG_URI=/data/catalog.db \
    LAKE_WAREHOUSE=/data/warehouse
WORKDIR /app
COPY --from=build --chown=0:0 /app /app
RUN mkdir -p /data && chown 1000:1000 /data
VOLUME /data
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.HTTP_PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["tini", "--"]
# The services' Node flags: packages/testkit/src/stack/node-flags.ts (a test keeps them the same)
CMD ["sh", "-c", "exec node --max-semi-space-size=8 services/${SERVICE}/src/main.ts"]
