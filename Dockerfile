# fluxo's api and worker image (used by docker-compose.temporal.yml). Node 20 like the native machines.
FROM node:20.20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
COPY scripts ./scripts
ENV NODE_ENV=production
USER node
CMD ["node_modules/.bin/tsx", "src/api/main.ts"]
