# The API and the worker share one image; compose picks the entry point.
FROM node:20.20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20.20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The post-call rules file is read at start-up (AUTOMATION_RULES_FILE).
COPY src/automations/rules.json ./src/automations/rules.json
COPY package.json ./
# DATA_DIR, owned by the user the service runs as: a named volume mounted here starts with this ownership.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
CMD ["node", "dist/api/main.js"]
