// Reports for billing staff, computed from the ledger and the bill records (balances are sums of postings).
import { Type } from '@sinclair/typebox';
import { receivableAging } from '../../db/aging.js';
import { kpiReport } from '../../db/reports.js';
import { STAFF } from '../plugins/auth.js';
import type { App, AppDeps } from '../types.js';
import { ArAgingReport, KpiReport } from './reports.schema.js';

export default async function reportRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;
  const access = { access: { staff: STAFF.billing } };

  app.get(
    '/reports/ar-aging',
    {
      config: access,
      schema: {
        tags: ['reports'],
        summary:
          "Accounts receivable aging: each owing account's balance laid on its newest charges first, bucketed by days since the charge",
        response: {
          200: ArAgingReport,
        },
      },
    },
    async () => {
      const asOf = deps.clock.today();
      const a = await receivableAging(sql, asOf);
      return {
        object: 'report.ar_aging' as const,
        asOf,
        totalReceivableCents: a.owingCents,
        creditBalancesCents: a.creditCents,
        accountsOwing: a.accountsOwing,
        buckets: a.buckets,
      };
    },
  );

  app.get(
    '/reports/kpis',
    {
      config: access,
      schema: {
        tags: ['reports'],
        summary:
          'DSO, dispute rate (disputes opened / bills issued), paperless share and exception rate over the last `days` days (default 90)',
        querystring: Type.Object(
          { days: Type.Optional(Type.Integer({ minimum: 7, maximum: 730, default: 90 })) },
          { additionalProperties: false },
        ),
        response: {
          200: KpiReport,
        },
      },
    },
    async (req) => {
      const days = req.query.days ?? 90;
      return { object: 'report.kpis' as const, days, ...(await kpiReport(sql, deps.clock.today(), days)) };
    },
  );
}
