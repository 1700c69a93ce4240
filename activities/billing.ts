// Billing persistence activities. Each is idempotent: a retry after a crash finds the earlier result.

import { type IssueBillInput, issueBill, loadBillingInputs } from '../db/billing.js';
import type { Sql } from '../db/client.js';

export function createBillingActivities(sql: Sql) {
  return {
    async loadBillingInputs(a: { accountId: string; period: { key: string; start: string; end: string } }) {
      const inputs = await loadBillingInputs(sql, a.accountId, a.period);
      if (!inputs) throw new Error(`account ${a.accountId} does not exist`);
      return inputs;
    },
    async issueBill(b: IssueBillInput) {
      return issueBill(sql, b);
    },
  };
}

export type BillingActivities = ReturnType<typeof createBillingActivities>;
