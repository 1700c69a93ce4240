// What GET /accounts/:id/past-due answers (past-due.ts): shared with the portal and staff console (type-only).
import { Type } from '@sinclair/typebox';
import { Cents, Nullable } from '../schemas.js';

const Day = Type.String({ format: 'date' });
const Installment = Type.Object({ seq: Type.Integer(), dueDate: Day, amountCents: Cents });

export const PastDue = Type.Object({
  object: Type.Literal('past_due'),
  accountId: Type.String(),
  asOf: Day,
  balanceCents: Cents,
  pastDueCents: Cents,
  oldestDueDate: Nullable(Day),
  daysPastDue: Type.Integer(),
  lateFees: Type.Array(Type.Object({ billId: Type.String(), feeCents: Cents, chargedOn: Day })),
  collections: Type.Object({
    caseId: Nullable(Type.String()),
    stage: Type.String(),
    disconnectOn: Nullable(Day),
    nextStep: Nullable(
      Type.Union([
        Type.Object({ kind: Type.Literal('late_fee'), on: Day, feeCents: Cents }),
        Type.Object({ kind: Type.Literal('final_notice'), on: Day, disconnectOn: Day }),
        Type.Object({ kind: Type.Literal('disconnect'), on: Day }),
      ]),
    ),
    blockedBy: Type.Array(Type.String()),
  }),
  arrangement: Nullable(
    Type.Object({ id: Type.String(), totalCents: Cents, installments: Type.Array(Installment) }),
  ),
  offer: Type.Union([
    Type.Object({
      eligible: Type.Literal(false),
      reason: Type.Union([
        Type.Literal('nothing_to_arrange'),
        Type.Literal('arrangement_active'),
        Type.Literal('broken_recently'),
      ]),
    }),
    Type.Object({
      eligible: Type.Literal(true),
      totalCents: Cents,
      options: Type.Array(Type.Object({ installments: Type.Integer(), plan: Type.Array(Installment) })),
    }),
  ]),
});
