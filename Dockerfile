# One image per service: docker build --build-arg SERVICE=ingest -t healthstream-ingest .
# Node 24 runs the TypeScript sources directly (type stripping); no build step, no native addons.
FROM node:24-slim
ARG SERVICE
ENV NODE_ENV=production SERVICE=${SERVICE}
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/shared/package.json packages/shared/
COPY services/ingest/package.json services/ingest/
COPY services/validator/package.json services/validator/
COPY services/aggregator/package.json services/aggregator/
COPY services/lake-writer/package.json services/lake-writer/
RUN npm ci --omit=dev --no-audit --no-fund
COPY packages/shared packages/shared
COPY services/${SERVICE} services/${SERVICE}
USER node
EXPOSE 8080
CMD ["sh", "-c", "exec node services/${SERVICE}/src/main.ts"]
