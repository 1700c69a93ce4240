# cisflow API and worker image (one image, two commands; see docker-compose.yml).
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY api ./api
COPY activities ./activities
COPY db ./db
COPY domain ./domain
COPY lib ./lib
COPY portal ./portal
COPY workers ./workers
COPY workflows ./workflows
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "api/server.ts"]
