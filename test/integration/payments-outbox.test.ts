// With no Stripe keys (dev outbox mode) a payment is recorded and posted without any gateway, so the
// demo and a developer's machine work offline; the webhook endpoint says Stripe is not configured.
import { beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createCustomer } from '../../db/accounts.js';
import type { Sql } from '../../db/client.js';
import { accountBalanceCents } from '../../db/ledger.js';
import { bearer, staffToken, type TestApp, testApp } from '../support/api.js';
import { freshDatabase } from '../support/db.js';
import { startWorkers } from '../support/temporal.js';

let sql: Sql;
let app: TestApp;
beforeAll(async () => {
  ({ sql } = await freshDatabase());
  app = await testApp(sql, await startWorkers(sql));
});

describe('dev outbox mode', () => {
  it('records and posts a card payment with no gateway', async () => {
    const c = await createCustomer(sql, { name: 'Offline' });
    const a = await createAccount(sql, { customerId: c.id });
    const csr = await staffToken(app, sql, 'csr');
    const r = await app.inject({
      method: 'POST',
      url: `/accounts/${a.id}/payments`,
      headers: bearer(csr),
      payload: { amountCents: 2_500, method: 'card' },
    });
    expect(r.json()).toMatchObject({ provider: 'outbox', clientSecret: null });
    for (let i = 0; i < 50 && (await accountBalanceCents(sql, a.id)) !== -2_500; i++)
      await new Promise((x) => setTimeout(x, 100));
    expect(await accountBalanceCents(sql, a.id)).toBe(-2_500);
    const w = await app.inject({
      method: 'POST',
      url: '/webhooks/stripe',
      headers: { 'content-type': 'application/json', 'stripe-signature': 'x' },
      payload: '{}',
    });
    expect(w.statusCode).toBe(404);
    expect(w.json().error.code).toBe('not_configured');
  });
});
