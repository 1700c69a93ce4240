// Serves the portal and staff console: two HTML shells, the stylesheet, and the bundles built from portal/src
// (in memory, once per process, the first time they are asked for or when the server starts listening).
// They talk to this API like any client.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { Type } from '@sinclair/typebox';
import { currentUtility, utilitySettings } from '../../db/utility-settings.js';
import { type BuiltAsset, buildPortal } from '../../portal/build.js';
import { ApiError, found } from '../errors.js';
import { type App, type AppDeps, utilityDefaults } from '../types.js';
import { PortalConfig } from './web.schema.js';

const root = fileURLToPath(new URL('../../portal/', import.meta.url));

let built: Promise<Map<string, BuiltAsset>> | null = null;
/** The built front end; a failed build is retried on the next request rather than kept. */
export function portalAssets(): Promise<Map<string, BuiltAsset>> {
  built ??= buildPortal().catch((e) => {
    built = null;
    throw e;
  });
  return built;
}

export default async function webRoutes(app: App, deps: AppDeps) {
  const pub = { access: { public: true as const } };
  // serve:false: we declare the routes ourselves so they pass through the same access check as the API.
  await app.register(fastifyStatic, { root, serve: false });
  app.addHook('onListen', async () => {
    portalAssets().catch((err) => app.log.error({ err }, 'the portal front end did not build'));
  });

  const page = (file: string) => async (_req: unknown, reply: import('fastify').FastifyReply) =>
    reply
      .header('cache-control', 'no-cache')
      // CSP, frame-ancestors, nosniff and the rest come from the security-headers plugin, on every response
      .sendFile(file);

  app.get('/', { config: pub, schema: { hide: true } }, async (_req, reply) => reply.redirect('/portal'));
  app.get('/portal', { config: pub, schema: { hide: true } }, page('portal.html'));
  // the link emailed to confirm a contact (db/messaging.ts): the portal page, which posts its token
  app.get('/portal/verify-contact', { config: pub, schema: { hide: true } }, page('portal.html'));
  app.get('/staff', { config: pub, schema: { hide: true } }, page('staff.html'));

  const defaults = utilityDefaults(deps);
  // the UTILITY_LOGO file is read once: it was checked at startup (lib/config.ts), and every page asks for it
  let envLogo: Promise<Buffer> | null = null;
  app.get('/portal/logo', { config: pub, schema: { hide: true } }, async (_req, reply) => {
    const logo = found((await currentUtility(deps.sql, defaults)).logo, 'logo', 'logo', 'logo');
    let body: Buffer;
    if ('data' in logo) body = Buffer.from(logo.data);
    else {
      envLogo ??= readFile(logo.path);
      body = await envLogo;
    }
    // the config names the settings' version in the logo's address, so a new logo is fetched at once
    return reply.type(logo.type).header('cache-control', 'public, max-age=3600').send(body);
  });

  app.get(
    '/portal/config.json',
    {
      config: pub,
      schema: {
        tags: ['portal'],
        summary:
          "What the portal needs to know before sign-in: who the utility is and how to reach it, the payment mode and Stripe's publishable key",
        response: {
          200: PortalConfig,
        },
      },
    },
    async () => {
      const u = await utilitySettings(deps.sql, defaults);
      return {
        utility: {
          name: u.name,
          phone: u.phone,
          website: u.website,
          emergencyPhone: u.emergencyPhone,
          officeHours: u.officeHours,
          remitTo: u.remitTo,
          address: u.address,
          timeZone: u.timeZone,
          logoUrl: u.logo ? `/portal/logo?v=${u.version}` : null,
          brandColor: u.brandColor,
        },
        payments: deps.providerModes.payments ?? 'outbox',
        stripePublishableKey: process.env.STRIPE_PUBLISHABLE_KEY ?? null,
      };
    },
  );

  app.get(
    '/assets/:file',
    {
      config: pub,
      schema: {
        hide: true,
        params: Type.Object({ file: Type.String({ pattern: '^[\\w-]+(\\.[\\w-]+)+$', maxLength: 100 }) }),
      },
    },
    async (req, reply) => {
      const { file } = req.params;
      // the stylesheet and the icon are files of portal/ as they are; the scripts are built
      if (file === 'style.css' || file === 'favicon.svg')
        return reply.header('cache-control', 'no-cache').sendFile(file);
      let assets: Map<string, BuiltAsset>;
      try {
        assets = await portalAssets();
      } catch (e) {
        req.log.error({ err: e }, 'the portal front end did not build');
        throw new ApiError(
          500,
          'api_error',
          'portal_build_failed',
          'The portal could not be built; see the API log',
        );
      }
      const a = found(assets.get(file), 'asset', file, 'file');
      if (req.headers['if-none-match'] === a.etag) return reply.status(304).send();
      return reply
        .type(a.type)
        .header('etag', a.etag)
        .header(
          'cache-control',
          file.startsWith('chunk-') ? 'public, max-age=31536000, immutable' : 'no-cache',
        )
        .send(a.body);
    },
  );
}
