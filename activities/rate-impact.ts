// Rate-impact activities: the database steps of a rate-change impact report (db/rate-impact.ts), each a
// page or a step of the rate-impact workflow. A page heartbeats once loaded, so a dead worker's page moves on.
import { heartbeat } from '@temporalio/activity';
import type { Sql } from '../db/client.js';
import { failImpactReport, finishImpactReport, planImpactPages, rateImpactPage } from '../db/rate-impact.js';
import { timed } from '../lib/metrics.js';

export function createRateImpactActivities(sql: Sql) {
  return {
    planImpactPages: (a: { reportId: string; pageSize: number }) =>
      planImpactPages(sql, a.reportId, a.pageSize),

    async rateImpactPage(a: { reportId: string; after: string; pageSize: number }) {
      heartbeat('started');
      return timed('rate_impact_page', () => rateImpactPage(sql, a.reportId, a.after, a.pageSize));
    },

    /** The figures, stored on the report; only their size goes back into the workflow's history. */
    async finishImpactReport(a: { reportId: string }) {
      const f = await finishImpactReport(sql, a.reportId);
      return { accounts: f.accounts };
    },

    failImpactReport: (a: { reportId: string }) => failImpactReport(sql, a.reportId),
  };
}

export type RateImpactActivities = ReturnType<typeof createRateImpactActivities>;
