// "Today" for a request: the clock is read once, when the request arrives, so every rule in one request
// agrees on the date, and tests give the app a fixed clock (deps.now) instead of living on the wall clock.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /** YYYY-MM-DD (UTC) when the request arrived */
    today: string;
  }
}

export default fp(async function today(app: FastifyInstance, opts: { now?: () => Date }) {
  const now = opts.now ?? (() => new Date());
  app.decorateRequest('today', '');
  app.addHook('onRequest', async (req) => {
    req.today = now().toISOString().slice(0, 10);
  });
});
