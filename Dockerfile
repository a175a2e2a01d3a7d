# kvs: multi-stage build. The build stage compiles TypeScript with the dev dependencies; the
# runtime stage holds only production dependencies, the compiled dist/ and the proto files.
# Node 26 is the current LTS line; .ci/run runs the test suite on the same major (test/deploy checks they agree).

FROM node:26-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:26-slim AS runtime
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
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
# The gRPC frontend loads keyvalue.proto at run time; it finds proto/ beside dist/.
COPY proto ./proto
# The default file log is ./data/transactions.log: give the unprivileged user a data directory
# it owns, declared a volume so the log outlives the container (docker run -v kvs-data:/app/data).
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
# The image's unprivileged "node" user (uid 1000); the service needs no root.
USER node
EXPOSE 8080 50051
# Probes /readyz: 200 once the log is replayed and while it takes writes, 503 otherwise. On the
# admin listener when KVS_ADMIN_PORT is set (so FRONTEND_TYPE=grpc works too), else on the REST port.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.KVS_ADMIN_PORT || process.env.KVS_HTTP_PORT || 8080) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
