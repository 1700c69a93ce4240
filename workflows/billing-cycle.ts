// One account's bill for one period: gather reads -> validate -> rate -> issue (bill + ledger) atomically.
// Orchestration only: all I/O is in activities; rating is pure domain code and so replays identically.
import {
  defineQuery,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { BillingActivities } from '../activities/billing.js';
import type { RatedSegment, SegmentSource } from '../db/billing.js';
import { decToString, ZERO } from '../domain/decimal.js';
import { addDays, monthlyPeriod } from '../domain/period.js';
import { parseFlatTariff, rateFlatSegment } from '../domain/rating.js';
import { consumption } from '../domain/reads.js';
import { AccountNumber, BillingCycle, BillStatus } from './search-attributes.js';

export interface BillingPolicy {
  /** Days from bill date to due date. */
  dueDays: number;
}

export interface BillingCycleInput {
  accountId: string;
  period: string; // YYYY-MM
  policy: BillingPolicy;
}

export type BillingCycleResult =
  | { status: 'issued'; billId: string; totalCents: number; created: boolean }
  | { status: 'held'; reasons: { serviceAgreementId: string; code: string; message: string }[] };

export const billStatusQuery = defineQuery<string>('billStatus');

const { loadBillingInputs, issueBill } = proxyActivities<BillingActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export const billingCycleWorkflowId = (accountNumber: string, period: string) =>
  `billing-cycle/${accountNumber}/${period}`;

export async function billingCycleWorkflow(input: BillingCycleInput): Promise<BillingCycleResult> {
  let status = 'gathering';
  setHandler(billStatusQuery, () => status);
  const setStatus = (s: string) => {
    status = s;
    upsertSearchAttributes([{ key: BillStatus, value: s }]);
  };

  const period = monthlyPeriod(input.period);
  const inputs = await loadBillingInputs({ accountId: input.accountId, period });
  upsertSearchAttributes([
    { key: AccountNumber, value: inputs.accountNumber },
    { key: BillingCycle, value: inputs.billingCycle },
    { key: BillStatus, value: 'rating' },
  ]);
  status = 'rating';

  const held: { serviceAgreementId: string; code: string; message: string }[] = [];
  const rated: RatedSegment[] = [];
  for (const s of inputs.segments) {
    const r = rateSegment(s, period);
    if ('code' in r) held.push({ serviceAgreementId: s.serviceAgreementId, ...r });
    else rated.push(r);
  }
  if (held.length) {
    // The exceptions queue and staff resolution arrive with the full billing cycle; until then a held bill waits here.
    setStatus('held');
    return { status: 'held', reasons: held };
  }

  const billDate = new Date().toISOString().slice(0, 10); // workflow time: deterministic on replay
  const issued = await issueBill({
    accountId: input.accountId,
    period,
    billDate,
    dueDate: addDays(billDate, input.policy.dueDays),
    workflowId: workflowInfo().workflowId,
    segments: rated,
  });
  setStatus('issued');
  return { status: 'issued', ...issued };
}

function rateSegment(
  s: SegmentSource,
  period: { start: string; end: string },
): RatedSegment | { code: string; message: string } {
  if (!s.rate) return { code: 'no_rate_version', message: `no rate version in effect by ${period.end}` };
  let tariff: ReturnType<typeof parseFlatTariff>;
  try {
    tariff = parseFlatTariff(s.rate.tariff);
  } catch (e) {
    return { code: 'unsupported_tariff', message: (e as Error).message };
  }
  let quantity = ZERO;
  let readTrace: Record<string, unknown> = {};
  if (s.meter) {
    if (!s.openingRead || !s.closingRead) {
      return {
        code: 'missing_read',
        message: `meter ${s.meter.serialNumber} has no ${s.openingRead ? 'closing' : 'opening'} read`,
      };
    }
    const c = consumption(s.openingRead, s.closingRead, s.meter);
    if (!c.ok) return { code: c.reason, message: c.message };
    quantity = c.quantity;
    readTrace = { ...c.trace };
  }
  const { lines, totalCents } = rateFlatSegment({
    serviceType: s.serviceType,
    consumption: quantity,
    unit: s.meter?.unit ?? tariff.unit,
    periodStart: period.start,
    periodEnd: period.end,
    serviceStart: s.serviceStart,
    rate: { id: s.rate.id, scheduleCode: s.rate.scheduleCode, effectiveFrom: s.rate.effectiveFrom, tariff },
    readTrace,
  });
  return {
    serviceAgreementId: s.serviceAgreementId,
    serviceType: s.serviceType,
    startReadId: s.openingRead?.id ?? null,
    endReadId: s.closingRead?.id ?? null,
    consumption: s.meter ? decToString(quantity) : null,
    unit: s.meter?.unit ?? null,
    lines,
    totalCents,
  };
}
