// Idempotency-Key on POST, as Stripe does it: the first response for a key is stored and replayed,
// so a client that retries after a timeout cannot create a second customer, read or bill. A key belongs to
// its caller and its route (method + route pattern): another user, or another route, using the same key
// is a different request. Routes that key their own writes with it use `scopedKey`, never the raw header.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Sql } from '../../db/client.js';
import { ApiError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { userId: string; key: string; method: string; path: string };
  }
}

/**
 * The caller's Idempotency-Key scoped to the caller and route, for keys a route stores itself (a payment's
 * idempotency key): `{userId}:{METHOD} {route}:{key}`. Undefined when no key was sent.
 */
export function scopedKey(req: FastifyRequest): string | undefined {
  const k = req.idempotency;
  return k ? `${k.userId}:${k.method} ${k.path}:${k.key}` : undefined;
}

export default fp(async function idempotency(app: FastifyInstance, opts: { sql: Sql }) {
  const { sql } = opts;

  app.addHook('preHandler', async (req, reply) => {
    const key = req.headers['idempotency-key'];
    if (req.method !== 'POST' || typeof key !== 'string' || !req.user) return;
    if (key.length < 8 || key.length > 255) {
      throw new ApiError(
        400,
        'invalid_request_error',
        'parameter_invalid',
        'Idempotency-Key must be 8 to 255 characters',
        'Idempotency-Key',
      );
    }
    const path = req.routeOptions.url ?? req.url;
    const requestHash = createHash('sha256')
      .update(JSON.stringify([req.url, req.body ?? null]))
      .digest('hex');
    const reserved = await sql`
      insert into idempotent_request (user_id, key, method, path, request_hash)
      values (${req.user.id}, ${key}, ${req.method}, ${path}, ${requestHash})
      on conflict do nothing returning key`;
    if (reserved.length) {
      req.idempotency = { userId: req.user.id, key, method: req.method, path };
      return;
    }
    const [prev] = await sql<{ requestHash: string; statusCode: number | null; response: unknown }[]>`
      select request_hash, status_code, response from idempotent_request
      where user_id = ${req.user.id} and method = ${req.method} and path = ${path} and key = ${key}`;
    if (prev?.requestHash !== requestHash) {
      // 422 as the IETF Idempotency-Key draft has it: the key is fine, this request does not match it
      throw new ApiError(
        422,
        'idempotency_error',
        'idempotency_key_reused',
        'This Idempotency-Key was used with a different request',
        'Idempotency-Key',
      );
    }
    if (prev.statusCode === null) {
      throw new ApiError(
        409,
        'idempotency_error',
        'idempotency_key_in_use',
        'A request with this Idempotency-Key is still in progress',
      );
    }
    reply.header('idempotent-replayed', 'true');
    return reply.status(prev.statusCode).send(prev.response);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const k = req.idempotency;
    if (!k) return payload;
    if (reply.statusCode >= 500) {
      // Our failure, not the client's: free the key so the retry runs again.
      await sql`delete from idempotent_request
        where user_id = ${k.userId} and method = ${k.method} and path = ${k.path} and key = ${k.key}`;
    } else {
      const body = typeof payload === 'string' ? JSON.parse(payload) : null;
      await sql`update idempotent_request set status_code = ${reply.statusCode}, response = ${sql.json(body)}
        where user_id = ${k.userId} and method = ${k.method} and path = ${k.path} and key = ${k.key}`;
    }
    return payload;
  });
});
