# One image for every fleetwatch process: the four exporters, the simulator and the local pager.
FROM node:20.19.4-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY exporters exporters
COPY sim sim
RUN npm ci && npm prune --omit=dev

FROM node:20.19.4-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
# The compose volumes mount here; a new volume takes the owner of the directory it mounts on.
RUN mkdir -p /var/lib/fleetwatch/data /var/lib/fleetwatch/sim-targets && chown -R node:node /var/lib/fleetwatch
USER node
ENTRYPOINT ["node", "/app/dist/exporters/cli.js"]
CMD ["--help"]
