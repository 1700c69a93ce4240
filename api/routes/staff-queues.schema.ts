// What the staff work-queue routes answer (staff-queues.ts): shared with the staff console (type-only).
import { Type } from '@sinclair/typebox';
import { Cents, IsoDate, Nullable } from '../schemas.js';

/** An open dispute or service request in the work queue (GET /cases). */
export const Case = Type.Object({
  id: Type.String(),
  object: Type.Literal('case'),
  type: Type.Union([Type.Literal('dispute'), Type.Literal('service_request')]),
  kind: Type.String({ description: '"dispute", or the service request\'s kind (stop_service, transfer, …)' }),
  status: Type.String(),
  accountId: Nullable(Type.String()),
  accountNumber: Nullable(Type.String()),
  customerName: Nullable(Type.String()),
  slaDueOn: IsoDate,
  ageDays: Type.Integer(),
  createdAt: Type.String(),
  billId: Nullable(Type.String()),
  billPeriod: Nullable(Type.String()),
  disputedCents: Nullable(Cents),
  reason: Nullable(Type.String()),
  details: Nullable(Type.Record(Type.String(), Type.Unknown())),
  premiseAddress: Nullable(Type.String()),
  requiresApproval: Type.Boolean(),
  workflowUrl: Nullable(Type.String()),
});

/** A staff login, as the console lists them to assign work to (GET /staff-users). */
export const StaffUser = Type.Object({
  id: Type.String(),
  object: Type.Literal('staff_user'),
  displayName: Type.String(),
  role: Type.String(),
});
