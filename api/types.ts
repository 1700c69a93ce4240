// What every route plugin receives.

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Client } from '@temporalio/client';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type Stripe from 'stripe';
import type { BillPrintSettings } from '../activities/documents.js';
import type { Sql } from '../db/client.js';
import type { AuthPolicy } from '../domain/auth-policy.js';
import type { Clock } from '../lib/clock.js';
import type { OidcConfig } from '../lib/config.js';
import { DEMO_UTILITY } from '../lib/config.js';

export interface TemporalDeps {
  client: Client;
  namespace: string;
  uiUrl?: string;
  /** Tests run workers on prefixed task queues. */
  taskQueuePrefix?: string;
}

export interface AppDeps {
  sql: Sql;
  temporal: TemporalDeps;
  publicUrl: string;
  providerModes: Record<string, string>;
  /** null in dev outbox mode */
  stripe: Stripe | null;
  stripeWebhookSecret: string | null;
  /** webhook verification for Twilio (its auth token) and SendGrid (the event webhook's public key) */
  messaging?: { twilioAuthToken: string | null; sendgridWebhookPublicKey: string | null };
  /** the one clock routes read "today" from (lib/clock.ts) */
  clock: Clock;
  /** what the utility prints on every bill PDF (its message); none when absent */
  billPrint?: BillPrintSettings;
  /** GET /metrics for callers beyond this machine: `Authorization: Bearer <METRICS_TOKEN>` */
  metricsToken?: string;
  /** login and account-proof limits (tests shrink them) and the clock their back-off reads */
  auth?: { policy?: Partial<AuthPolicy>; now?: () => Date };
  /** staff sign-in: the key TOTP secrets are sealed with (no key: TOTP cannot be set up), and single sign-on */
  staffAuth?: { totpKey?: Buffer; oidc?: OidcConfig };
}

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** The utility's settings until an admin saves them: the environment's (db/utility-settings.ts). */
export const utilityDefaults = (deps: Pick<AppDeps, 'billPrint' | 'clock'>) => ({
  utility: deps.billPrint?.utility ?? DEMO_UTILITY,
  timeZone: deps.clock.timeZone,
});

export const workflowUiUrl = (t: TemporalDeps, workflowId: string) =>
  t.uiUrl
    ? `${t.uiUrl}/namespaces/${encodeURIComponent(t.namespace)}/workflows/${encodeURIComponent(workflowId)}`
    : null;
