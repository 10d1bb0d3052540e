# Production image for the API, the worker and the migration job (one image, three commands).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
# Workers load the prebuilt workflow bundle instead of bundling at start.
ENV WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
CMD ["node", "dist/api/main.js"]
