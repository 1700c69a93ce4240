// What the payment routes answer (payments.ts): shared with the portal and staff console (type-only).
import { Type } from '@sinclair/typebox';

export const Payment = Type.Object({
  id: Type.String(),
  object: Type.Literal('payment'),
  accountId: Type.String(),
  amountCents: Type.Integer(),
  method: Type.String(),
  status: Type.String(),
  provider: Type.String(),
  clientSecret: Type.Union([Type.String(), Type.Null()]),
  failureCode: Type.Union([Type.String(), Type.Null()]),
  allocations: Type.Array(
    Type.Object({ billId: Type.String(), period: Type.String(), amountCents: Type.Integer() }),
    {
      description: 'how the payment was applied: oldest open bill first; the rest is a credit',
    },
  ),
});

/** A cash or check payment taken at the counter (POST /accounts/:id/payments/counter). */
export const CounterPayment = Type.Object({
  id: Type.String(),
  object: Type.Literal('payment'),
  status: Type.String(),
  reviewFlag: Type.Union([Type.String(), Type.Null()]),
});

/** A method saved on the account's Stripe customer, as GET /accounts/:id/payment-methods lists it. */
export const SavedMethod = Type.Object({
  id: Type.String(),
  type: Type.Union([Type.Literal('card'), Type.Literal('ach')]),
  brand: Type.Optional(Type.String()),
  bankName: Type.Optional(Type.String()),
  last4: Type.String(),
  expMonth: Type.Optional(Type.Integer()),
  expYear: Type.Optional(Type.Integer()),
  isDefault: Type.Boolean({ description: "the Stripe customer's default method" }),
});

/** A SetupIntent for a new saved method, confirmed in the browser with Stripe.js. */
export const MethodSetup = Type.Object({
  object: Type.Literal('setup_intent'),
  id: Type.String(),
  clientSecret: Type.String(),
});

/** A payment's receipt (GET /payments/:id/receipt): what the portal shows after paying and the email carries. */
export const PaymentReceipt = Type.Object({
  object: Type.Literal('payment_receipt'),
  paymentId: Type.String(),
  confirmationNumber: Type.String(),
  accountId: Type.String(),
  accountNumber: Type.String(),
  amountCents: Type.Integer(),
  method: Type.String(),
  methodBrand: Type.Union([Type.String(), Type.Null()]),
  methodLast4: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  receivedAt: Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' }),
  postedAt: Type.Union([Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' }), Type.Null()]),
  newBalanceCents: Type.Union([Type.Integer(), Type.Null()]),
  /** the utility's time zone, in which the receipt's dates and times are shown */
  timeZone: Type.String(),
});
