// OpenAPI document generated from the route schemas, browsable at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export default fp(async function docs(app: FastifyInstance, opts: { publicUrl: string }) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'cisflow API',
        version: '0.1.0',
        description:
          'Meter-to-cash CIS. Amounts are integer cents; usage and prices are decimal strings. ' +
          'Errors: {error:{type,code,message,param}}. POSTs accept an Idempotency-Key header. ' +
          'Lists use cursor pagination (limit, starting_after -> has_more). ' +
          'Authenticate with POST /auth/login, then send `Authorization: Bearer <token>` (or the cookie plus X-CSRF-Token).',
      },
      servers: [{ url: opts.publicUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  // folded by section: fully expanded, swagger-ui stops rendering this many operations after two sections
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'none' } });
});
