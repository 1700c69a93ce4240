// What the bill-run and exceptions-queue routes answer (bill-runs.ts): shared with the staff console
// (type-only). `progress` is the bill-run contract's BillRunProgress; `reasons` are the bill's holds.
import { Type } from '@sinclair/typebox';

export const BillRun = Type.Object({
  object: Type.Literal('bill_run'),
  workflowId: Type.String(),
  url: Type.Union([Type.String(), Type.Null()]),
  running: Type.Boolean(),
  progress: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
});

/** A held bill in the exceptions queue (GET /exceptions). */
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
});
