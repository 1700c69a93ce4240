// Liveness says the process is up; readiness says it can do work (Postgres and Temporal both answer).
import { Type } from '@sinclair/typebox';
import { ping } from '../../db/client.js';
import type { App, AppDeps } from '../types.js';

export default async function health(app: App, deps: AppDeps) {
  const pub = { access: { public: true as const } };

  app.get(
    '/healthz',
    {
      config: pub,
      schema: { tags: ['health'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    },
    async () => ({
      status: 'ok' as const,
    }),
  );

  const Check = Type.Object({ ok: Type.Boolean(), ms: Type.Number(), error: Type.Optional(Type.String()) });
  const Ready = Type.Object({
    status: Type.String(),
    postgres: Check,
    temporal: Check,
    providers: Type.Record(Type.String(), Type.String()),
  });
  app.get(
    '/readyz',
    { config: pub, schema: { tags: ['health'], response: { 200: Ready, 503: Ready } } },
    async (_req, reply) => {
      const timed = async (f: () => Promise<unknown>) => {
        const t0 = performance.now();
        try {
          await Promise.race([
            f(),
            new Promise((_, rej) => setTimeout(() => rej(new Error('timed out after 2s')), 2000)),
          ]);
          return { ok: true, ms: Math.round(performance.now() - t0) };
        } catch (e) {
          return { ok: false, ms: Math.round(performance.now() - t0), error: (e as Error).message };
        }
      };
      const [postgres, temporal] = await Promise.all([
        timed(() => ping(deps.sql)),
        timed(() =>
          deps.temporal.client.workflowService.describeNamespace({ namespace: deps.temporal.namespace }),
        ),
      ]);
      const ok = postgres.ok && temporal.ok;
      return reply
        .status(ok ? 200 : 503)
        .send({ status: ok ? 'ready' : 'not_ready', postgres, temporal, providers: deps.providerModes });
    },
  );
}
