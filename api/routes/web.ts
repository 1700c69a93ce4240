// Serves the portal and staff console pages (static files; they talk to this API like any client).
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { Type } from '@sinclair/typebox';
import type { App } from '../types.js';

const root = fileURLToPath(new URL('../../portal/', import.meta.url));

export default async function webRoutes(app: App) {
  const pub = { access: { public: true as const } };
  // serve:false: we declare the routes ourselves so they pass through the same access check as the API.
  await app.register(fastifyStatic, { root, serve: false });
  app.get('/', { config: pub, schema: { hide: true } }, async (_req, reply) => reply.redirect('/portal'));
  app.get('/portal', { config: pub, schema: { hide: true } }, async (_req, reply) =>
    reply.sendFile('portal.html'),
  );
  app.get('/staff', { config: pub, schema: { hide: true } }, async (_req, reply) =>
    reply.sendFile('staff.html'),
  );
  app.get(
    '/assets/:file',
    {
      config: pub,
      schema: {
        hide: true,
        params: Type.Object({ file: Type.String({ pattern: '^[\\w-]+\\.(js|css|svg|png)$' }) }),
      },
    },
    async (req, reply) => reply.sendFile(req.params.file),
  );
}
