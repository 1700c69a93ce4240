// Assembles the API: one plugin per concern, routes grouped by resource.
import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type RouteOptions } from 'fastify';
import { type Clock, systemClock } from '../lib/clock.js';
import auth from './plugins/auth.js';
import docs from './plugins/docs.js';
import errors from './plugins/errors.js';
import idempotency from './plugins/idempotency.js';
import metrics from './plugins/metrics.js';
import securityHeaders from './plugins/security-headers.js';
import strictMoney from './plugins/strict-money.js';
import today from './plugins/today.js';
import accountRoutes from './routes/accounts.js';
import agreementRoutes from './routes/agreements.js';
import auditRoutes from './routes/audit.js';
import authRoutes from './routes/auth.js';
import autopayRoutes from './routes/autopay.js';
import billRunRoutes from './routes/bill-runs.js';
import billRoutes from './routes/bills.js';
import collectionRoutes from './routes/collections.js';
import contactRoutes from './routes/contacts.js';
import disputeRoutes from './routes/disputes.js';
import eventRoutes from './routes/events.js';
// --- gl ---
import glRoutes from './routes/gl.js';
// --- end gl ---
import health from './routes/health.js';
import leakRoutes from './routes/leaks.js';
import legacyRoutes from './routes/legacy.js';
import listRoutes from './routes/lists.js';
import loginRoutes from './routes/logins.js';
import messageRoutes from './routes/messages.js';
import meterDataRoutes from './routes/meter-data.js';
import outageRoutes from './routes/outages.js';
import pastDueRoutes from './routes/past-due.js';
import paymentMethodRoutes from './routes/payment-methods.js';
import paymentRoutes from './routes/payments.js';
import premiseRoutes from './routes/premises.js';
// --- rates ---
import rateImpactRoutes from './routes/rate-impact.js';
import rateScheduleRoutes from './routes/rate-schedules.js';
import rateRoutes from './routes/rates.js';
// --- end rates ---
import readRoutes from './routes/reads.js';
import recoveryRoutes from './routes/recovery.js';
import reportRoutes from './routes/reports.js';
import searchRoutes from './routes/search.js';
import serviceRequestRoutes from './routes/service-requests.js';
import settingsRoutes from './routes/settings.js';
import signupRoutes from './routes/signup.js';
import staffQueueRoutes from './routes/staff-queues.js';
import staffSignInRoutes from './routes/staff-sign-in.js';
import subscriptionRoutes from './routes/subscriptions.js';
import timelineRoutes from './routes/timeline.js';
import usageRoutes from './routes/usage.js';
import userRoutes from './routes/users.js';
import webRoutes from './routes/web.js';
import messagingWebhookRoutes from './routes/webhooks-messaging.js';
import { rateLimits } from './throttle.js';
import type { AppDeps } from './types.js';

export async function buildApp(
  given: Omit<AppDeps, 'clock'> & { clock?: Clock },
  opts: {
    logger?: FastifyBaseLogger;
    /** sees every route as it is added (tests enumerate them) */
    onRoute?: (r: RouteOptions) => void;
  } = {},
) {
  const deps: AppDeps = { ...given, clock: given.clock ?? systemClock() };
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{8,64}$/.test(given)
        ? given
        : `req_${randomUUID().replaceAll('-', '')}`;
    },
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onSend', async (req, reply) => {
    reply.header('request-id', req.id);
  });
  if (opts.onRoute) app.addHook('onRoute', opts.onRoute);

  await app.register(errors);
  await app.register(today, { clock: deps.clock });
  await app.register(strictMoney);
  await app.register(securityHeaders, { publicUrl: deps.publicUrl });
  await app.register(docs, { publicUrl: deps.publicUrl });
  await app.register(auth, { sql: deps.sql, secureCookies: deps.publicUrl.startsWith('https:') });
  await app.register(idempotency, { sql: deps.sql });
  await app.register(rateLimits);
  await app.register(metrics, { sql: deps.sql, token: deps.metricsToken });
  for (const routes of [
    health,
    authRoutes,
    staffSignInRoutes,
    userRoutes,
    accountRoutes,
    premiseRoutes,
    readRoutes,
    agreementRoutes,
    billRoutes,
    rateRoutes,
    // --- rates ---
    rateScheduleRoutes,
    rateImpactRoutes,
    listRoutes,
    // --- end rates ---
    billRunRoutes,
    paymentRoutes,
    autopayRoutes,
    paymentMethodRoutes,
    collectionRoutes,
    pastDueRoutes,
    timelineRoutes,
    disputeRoutes,
    serviceRequestRoutes,
    staffQueueRoutes,
    eventRoutes,
    legacyRoutes,
    meterDataRoutes,
    usageRoutes,
    leakRoutes,
    searchRoutes,
    reportRoutes,
    signupRoutes,
    loginRoutes,
    messageRoutes,
    subscriptionRoutes,
    contactRoutes,
    outageRoutes,
    messagingWebhookRoutes,
    auditRoutes,
    // --- recovery ---
    recoveryRoutes,
    settingsRoutes,
    // --- end recovery ---
    // --- gl ---
    glRoutes,
    // --- end gl ---
    webRoutes,
  ]) {
    await app.register(routes as never, deps);
  }
  return app;
}
