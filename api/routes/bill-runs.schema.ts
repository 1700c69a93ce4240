// What the bill-run and exceptions-queue routes answer (bill-runs.ts): shared with the staff console
// (type-only). `progress` is the bill-run contract's BillRunProgress; `reasons` are the bill's holds.
import { Type } from '@sinclair/typebox';
import { Cents, IsoDate, Nullable } from '../schemas.js';

export const BillRun = Type.Object({
  object: Type.Literal('bill_run'),
  workflowId: Type.String(),
  url: Type.Union([Type.String(), Type.Null()]),
  running: Type.Boolean(),
  progress: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
});

/** A past run in GET /bill-runs (db/staff-lists.ts listBillRuns): bills issued, held and cancelled, the total. */
export const BillRunSummary = Type.Object({
  object: Type.Literal('bill_run_summary'),
  id: Type.String({ description: 'cycle/period: the cursor' }),
  cycle: Type.String(),
  period: Type.String(),
  billed: Type.Integer(),
  held: Type.Integer(),
  cancelled: Type.Integer(),
  billedCents: Type.Integer(),
  firstBillAt: Type.String(),
  lastBillAt: Type.String(),
});

/** GET /bill-runs/:cycle/:period/preview: what a run would do, shown before staff confirm it. */
export const BillRunPreview = Type.Object({
  object: Type.Literal('bill_run_preview'),
  cycle: Type.String(),
  period: Type.String(),
  accounts: Type.Integer({ description: 'active accounts on the cycle' }),
  alreadyBilled: Type.Integer({
    description: 'of those, with a live bill for the period (a re-run skips them)',
  }),
  lastRun: Nullable(Type.Object({ period: Type.String(), billed: Type.Integer(), held: Type.Integer() })),
});

/** A meter a hold is about: the read that looks wrong (null: the read is missing) and its last reads. */
export const HeldMeter = Type.Object({
  serviceAgreementId: Type.String(),
  serialNumber: Type.String(),
  unit: Type.String(),
  suspectReadId: Nullable(Type.String()),
  reads: Type.Array(
    Type.Object({
      id: Type.String(),
      readAt: Type.String(),
      value: Type.String(),
      source: Type.String(),
      quality: Type.String(),
    }),
  ),
});

/** A held bill in the exceptions queue (GET /exceptions): wouldBeCents is its total if approved. */
export const BillException = Type.Object({
  id: Type.String(),
  object: Type.Literal('bill_exception'),
  accountId: Type.String(),
  accountNumber: Type.String(),
  customerName: Type.String(),
  period: Type.String(),
  status: Type.String(),
  reasons: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  workflowId: Type.String(),
  workflowUrl: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  billingCycle: Type.String(),
  ageDays: Type.Integer({ description: 'whole days since the bill was held' }),
  assigneeId: Nullable(Type.String()),
  assigneeName: Nullable(Type.String()),
  slaDueOn: Nullable(IsoDate),
  wouldBeCents: Nullable(Cents),
  meters: Type.Array(HeldMeter),
});

/** A held bill's assignee and SLA date (POST /exceptions/:id/assignment). */
export const ExceptionAssignment = Type.Object({
  object: Type.Literal('bill_exception_assignment'),
  id: Type.String(),
  assigneeId: Nullable(Type.String()),
  slaDueOn: Nullable(IsoDate),
});
