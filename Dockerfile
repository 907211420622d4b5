# One image recipe for every app: `docker build --build-arg APP=<app> .`
FROM node:20-bookworm-slim AS build
WORKDIR /repo
COPY . .
RUN npm ci --no-audit --no-fund
ARG APP
RUN npx nx run ${APP}:build --output-style=static

FROM node:20-bookworm-slim
ARG APP
ENV NODE_ENV=production APP=${APP}
WORKDIR /repo
COPY --from=build /repo /repo
RUN npm prune --omit=dev --no-audit --no-fund
USER node
ENTRYPOINT ["sh", "-c", "exec node apps/${APP}/dist/main.js \"$@\"", "--"]
