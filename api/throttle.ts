// The API side of throttling: per-IP caps through @fastify/rate-limit, and the server-side back-off
// (db/throttle.ts) answered as a 429 with Retry-After, in the one error shape.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { type AuthPolicy, authPolicy, type RateCap } from '../domain/auth-policy.js';
import { ApiError } from './errors.js';

/** Per-route per-IP caps (`config.rateLimit`); nothing is capped unless a route asks for it. */
export const rateLimits = fp(async function rateLimits(app: FastifyInstance) {
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) =>
      new ApiError(
        429,
        'invalid_request_error',
        'rate_limited',
        `Too many requests from your network; try again in ${ctx.after}`,
      ),
  });
});

/** A route's `config.rateLimit` from a policy cap. */
export const perIp = (c: RateCap) => ({ max: c.max, timeWindow: c.windowSeconds * 1000 });

/** A 429 for a key in back-off: Retry-After tells the client when it may try again. */
export function tooManyTries(reply: FastifyReply, seconds: number, message: string, param?: string) {
  reply.header('retry-after', String(seconds));
  return new ApiError(429, 'invalid_request_error', 'too_many_attempts', message, param);
}

/** The policy and clock the auth routes use: the defaults, with whatever the deps override. */
export function authSettings(deps: {
  auth?: { policy?: Partial<AuthPolicy>; now?: () => Date };
  clock: { now(): Date };
}) {
  return { policy: authPolicy(deps.auth?.policy), now: deps.auth?.now ?? (() => deps.clock.now()) };
}
