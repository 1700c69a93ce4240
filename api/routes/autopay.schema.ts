// The account's autopay enrolment as GET /accounts/:id/autopay answers it (autopay.ts): shared with the
// portal (type-only).
import { Type } from '@sinclair/typebox';
import { Nullable } from '../schemas.js';

export const AutopayStatus = Type.Object({
  object: Type.Literal('autopay'),
  accountId: Type.String(),
  enrolled: Type.Boolean(),
  method: Nullable(Type.String()),
  paymentMethodRef: Nullable(Type.String()),
  daysBeforeDue: Nullable(Type.Integer()),
  nextDebit: Nullable(
    Type.Object(
      {
        kind: Type.Union([Type.Literal('bill'), Type.Literal('next_bill'), Type.Literal('no_bill')]),
        date: Nullable(Type.String({ format: 'date' })),
        amountCents: Nullable(Type.Integer()),
        billId: Nullable(Type.String()),
      },
      {
        description:
          "bill: the latest bill is debited on date for amountCents; next_bill: the next bill's debit, its date estimated; no_bill: none yet",
      },
    ),
  ),
});
