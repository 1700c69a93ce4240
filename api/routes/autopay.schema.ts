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
});
