// Activities for disputes, service requests and payment arrangements. A refusal (a rule that says no) is a
// non-retryable failure that the workflow records; anything else is retried by Temporal.
import { ApplicationFailure } from '@temporalio/activity';
import { type ArrangementRow, closeArrangement, paidSince } from '../db/arrangements.js';
import type { Sql } from '../db/client.js';
import { collectionPolicyFor } from '../db/collections.js';
import { getDispute, markDispute, notifyDispute, resolveDispute } from '../db/disputes.js';
import { Refused } from '../db/refused.js';
import {
  changeMailingAddress,
  closeAccount,
  endAgreements,
  finalBillPeriodFor,
  getServiceRequest,
  setSeasonal,
  setServiceRequestStatus,
  settleDeposit,
  startAgreements,
  startService,
} from '../db/service-requests.js';
import { type Clock, clockStart, systemClock } from '../lib/clock.js';
import type { ArrangementOutcome } from '../workflows/contracts/arrangement.js';
import type { DisputeResolution, DisputeStatus } from '../workflows/contracts/dispute.js';
import type { ServiceRequestStep } from '../workflows/contracts/service-request.js';

async function refusalsAreFinal<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof Refused) throw ApplicationFailure.nonRetryable(e.message, e.name);
    throw e;
  }
}

export function createCustomerServiceActivities(sql: Sql, clock: Clock = systemClock()) {
  const policy = async (accountId: string) => {
    const p = await collectionPolicyFor(sql, accountId);
    const [a] = await sql<
      { accountNumber: string }[]
    >`select account_number from account where id = ${accountId}`;
    return {
      accountNumber: a?.accountNumber ?? null,
      dayLength: p.dayLength,
      clockStart: clockStart(clock),
      disputeSlaDays: p.disputeSlaDays,
      installmentGraceDays: p.installmentGraceDays,
    };
  };
  return {
    // ---- disputes
    async loadDispute(a: { disputeId: string }) {
      const d = await getDispute(sql, a.disputeId);
      if (!d) throw ApplicationFailure.nonRetryable(`no dispute ${a.disputeId}`);
      return {
        accountId: d.accountId,
        billId: d.billId,
        reread: d.reread,
        status: d.status,
        ...(await policy(d.accountId)),
      };
    },
    async markDispute(a: {
      disputeId: string;
      status: Extract<DisputeStatus, 'investigating' | 'escalated'>;
      detail: Record<string, unknown>;
    }) {
      await markDispute(sql, a.disputeId, a.status, a.detail);
    },
    async notifyDisputeStep(a: { disputeId: string; step: string; data?: Record<string, number | string> }) {
      const d = await getDispute(sql, a.disputeId);
      if (d) await notifyDispute(sql, d, a.step, a.data);
    },
    async resolveDispute(a: { disputeId: string; resolution: DisputeResolution; today: string }) {
      return refusalsAreFinal(async () => {
        const d = await resolveDispute(sql, a.disputeId, a.resolution, a.today);
        return { status: d.status, resolution: d.resolution, detail: d.resolutionDetail };
      });
    },

    // ---- service requests
    async loadServiceRequest(a: { requestId: string }) {
      const r = await getServiceRequest(sql, a.requestId);
      if (!r) throw ApplicationFailure.nonRetryable(`no service request ${a.requestId}`);
      const p = r.accountId
        ? await policy(r.accountId)
        : {
            dayLength: (await collectionPolicyFor(sql, '')).dayLength,
            accountNumber: null,
            clockStart: clockStart(clock),
          };
      return {
        ...r,
        accountNumber: p.accountNumber,
        dayLength: p.dayLength,
        clockStart: p.clockStart,
        createdAt: r.createdAt.toISOString(),
        completedAt: null,
      };
    },
    async setServiceRequestStatus(a: {
      requestId: string;
      status: ServiceRequestStep;
      detail?: Record<string, unknown>;
      actor?: string;
    }) {
      await setServiceRequestStatus(sql, a.requestId, a.status, a.detail ?? {}, a.actor);
    },
    async changeMailingAddress(a: {
      accountId: string;
      address: Record<string, unknown>;
      requestId?: string;
    }) {
      return changeMailingAddress(sql, a.accountId, a.address, a.requestId);
    },
    async setSeasonal(a: { accountId: string; suspend: boolean }) {
      return setSeasonal(sql, a.accountId, a.suspend);
    },
    async endAgreements(a: { accountId: string; endDate: string; premiseId?: string }) {
      return endAgreements(sql, a.accountId, a.endDate, a.premiseId);
    },
    async startAgreementsAt(a: { accountId: string; premiseId: string; startDate: string; key: string }) {
      // once per request: a retry finds the agreements it made
      const [done] = await sql<{ n: number }[]>`
        select count(*)::int as n from service_agreement sa join service_point sp on sp.id = sa.service_point_id
        where sa.account_id = ${a.accountId} and sp.premise_id = ${a.premiseId} and sa.start_date = ${a.startDate}`;
      if (done!.n > 0) return [];
      return startAgreements(sql, a.accountId, a.premiseId, a.startDate);
    },
    async startService(a: { requestId: string }) {
      const r = await getServiceRequest(sql, a.requestId);
      return refusalsAreFinal(() => startService(sql, r!));
    },
    async settleDeposit(a: { accountId: string; key: string; today: string }) {
      return settleDeposit(sql, a.accountId, a.key, a.today);
    },
    /** The final bill's days: from the last billed day to the stop date (domain/billing-window.ts). */
    async finalBillPeriod(a: { accountId: string; stopDate: string }) {
      return refusalsAreFinal(() => finalBillPeriodFor(sql, a.accountId, a.stopDate));
    },
    async closeAccount(a: { accountId: string }) {
      await closeAccount(sql, a.accountId);
    },

    // ---- payment arrangements
    async loadArrangement(a: { arrangementId: string }) {
      const [row] = await sql<
        ArrangementRow[]
      >`select * from payment_arrangement where id = ${a.arrangementId}`;
      if (!row) throw ApplicationFailure.nonRetryable(`no arrangement ${a.arrangementId}`);
      return {
        accountId: row.accountId,
        installments: row.installments,
        status: row.status,
        createdAt: row.createdAt.toISOString(),
        ...(await policy(row.accountId)),
      };
    },
    async arrangementPaid(a: { accountId: string; since: string }) {
      return paidSince(sql, a.accountId, new Date(a.since));
    },
    async closeArrangement(a: {
      arrangementId: string;
      status: ArrangementOutcome;
      detail: Record<string, unknown>;
    }) {
      await closeArrangement(sql, a.arrangementId, a.status, a.detail);
    },
  };
}

export type CustomerServiceActivities = ReturnType<typeof createCustomerServiceActivities>;
