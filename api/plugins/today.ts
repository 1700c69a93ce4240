// "Today" for a request: the one clock (lib/clock.ts) is read once, when the request arrives, so every rule
// in one request agrees on the date; tests give the app a clock on a fixed, named date.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Clock } from '../../lib/clock.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** YYYY-MM-DD in the utility's time zone when the request arrived */
    today: string;
  }
}

export default fp(async function today(app: FastifyInstance, opts: { clock: Clock }) {
  app.decorateRequest('today', '');
  app.addHook('onRequest', async (req) => {
    req.today = opts.clock.today();
  });
});
