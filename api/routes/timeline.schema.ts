// One entry of an account's timeline (GET /accounts/:id/timeline, timeline.ts): shared with the staff console
// (type-only). The console words `kind`, `subject` and `status` in the staff member's language.
import { Type } from '@sinclair/typebox';
import { Cents, IsoDate, Nullable } from '../schemas.js';

/** The same kinds as db/timeline.ts TIMELINE_KINDS (timeline.ts checks the two agree). */
export const TimelineKind = Type.Union([
  Type.Literal('bill'),
  Type.Literal('payment'),
  Type.Literal('read'),
  Type.Literal('message'),
  Type.Literal('dispute'),
  Type.Literal('service_request'),
  Type.Literal('service_order'),
  Type.Literal('workflow'),
]);

export const TimelineEntry = Type.Object({
  object: Type.Literal('timeline_entry'),
  id: Type.String({ description: "the entry's own id (a workflow step: cev_…): the cursor" }),
  kind: TimelineKind,
  at: Type.String({ description: 'ISO time; a bill: the start of its bill date in the utility time zone' }),
  subject: Nullable(
    Type.String({
      description:
        "a bill's period, a payment's method, a read's source, a notice's alert, a request's or order's kind, a workflow step's event",
    }),
  ),
  status: Nullable(Type.String()),
  amountCents: Nullable(Cents),
  reference: Nullable(
    Type.String({ description: "a payment's confirmation number, a read's meter serial, a bill's period" }),
  ),
  detail: Nullable(Type.String()),
  billId: Nullable(Type.String()),
  workflowId: Nullable(Type.String()),
  workflowUrl: Nullable(Type.String()),
  dueOn: Nullable(IsoDate),
  subjectType: Nullable(Type.String()),
});
