// GET /metrics in Prometheus form (lib/metrics.ts): request latency by route pattern, bills and payments,
// the exceptions queue and the notification backlog. Served to the machine itself (a Prometheus agent beside
// the API) or to a caller with METRICS_TOKEN; to anyone else it is not there.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Sql } from '../../db/client.js';
import { backlog } from '../../db/metrics.js';
import { httpSeconds, registry, setBacklogSource } from '../../lib/metrics.js';
import { notFound } from '../errors.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function mayScrape(req: FastifyRequest, token: string | undefined): boolean {
  if (token) {
    const given = Buffer.from(req.headers.authorization ?? '');
    const want = Buffer.from(`Bearer ${token}`);
    return given.length === want.length && timingSafeEqual(given, want);
  }
  // no forwarded-for trust here: a proxy in front would make every caller look local, so set a token there
  return LOOPBACK.has(req.socket.remoteAddress ?? '') && !req.headers['x-forwarded-for'];
}

export default fp(async function metrics(app: FastifyInstance, opts: { sql: Sql; token?: string }) {
  setBacklogSource(() => backlog(opts.sql));
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url;
    if (!route || route === '/metrics') return;
    httpSeconds.observe(
      { method: req.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.get(
    '/metrics',
    { config: { access: { public: true } }, schema: { hide: true } },
    async (req, reply) => {
      if (!mayScrape(req, opts.token)) throw notFound('route', 'GET /metrics', 'path');
      return reply.type(registry.contentType).send(await registry.metrics());
    },
  );
});
