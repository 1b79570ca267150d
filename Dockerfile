# The API and the worker share one image; compose picks the entry point. Built from the compiled output: the runtime
# stage holds dist/ and the production dependencies only (no TypeScript, ts-node, test kit or dev-only modules).
FROM node:24.22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24.22-bookworm-slim
ENV NODE_ENV=production
# glibc gives each thread that allocates its own malloc arena (the worker has the Rust core's threads and the workflow
# thread); the freed memory of sessions that completed stayed in them: 2 arenas kept the worker 80 to 100 MB smaller
# after 1,000 sessions (docs/benchmarks.md, "Where the worker's memory goes").
ENV MALLOC_ARENA_MAX=2
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The post-call rules file is read at start-up (AUTOMATION_RULES_FILE).
COPY src/automations/rules.json ./src/automations/rules.json
# DATA_DIR, owned by the user the service runs as: a named volume mounted here starts with this ownership.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
CMD ["node", "dist/bin/api.js"]
