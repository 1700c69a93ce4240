// Shared request/response shapes. Money is integer cents; usage and prices are decimal strings.
import { type TSchema, Type } from '@sinclair/typebox';

export const Id = (prefix: string) =>
  Type.String({ pattern: `^${prefix}_[0-9A-Za-z]{10,40}$`, description: `${prefix}_… id` });
export const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
export const IsoDateTime = Type.String({ format: 'date-time' });
export const DecimalString = Type.String({
  pattern: '^\\d{1,12}(\\.\\d{1,9})?$',
  description: 'exact decimal, e.g. "12.5"',
});
export const Cents = Type.Integer({ description: 'amount in cents' });
export const Period = Type.String({
  pattern: '^\\d{4}-(0[1-9]|1[0-2])$',
  description: 'billing period, YYYY-MM',
});
export const ServiceType = Type.Union(
  ['water', 'sewer', 'electric', 'gas', 'trash'].map((s) => Type.Literal(s)),
);
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** Receivable by days since each open charge (db/aging.ts). */
export const AgingBuckets = Type.Object({
  current: Cents,
  days31to60: Cents,
  days61to90: Cents,
  over90: Cents,
});

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** Cursor pagination, as Stripe: `limit`, `starting_after` -> `{data, has_more}`. */
export const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  starting_after: Type.Optional(Type.String({ maxLength: 64 })),
});
export const List = <T extends TSchema>(item: T) =>
  Type.Object({ object: Type.Literal('list'), data: Type.Array(item), has_more: Type.Boolean() });

export const Customer = Type.Object({
  id: Type.String(),
  object: Type.Literal('customer'),
  kind: Type.String(),
  name: Type.String(),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  language: Type.String(),
});

export const BillSummary = Type.Object({
  id: Type.String(),
  period: Type.String(),
  periodStart: Type.String(),
  periodEnd: Type.String(),
  status: Type.String(),
  billDate: Type.String(),
  dueDate: Type.String(),
  totalCents: Cents,
});

export const BillLine = Type.Object({
  seq: Type.Integer(),
  description: Type.String(),
  quantity: Nullable(Type.String()),
  unit: Nullable(Type.String()),
  unitPrice: Nullable(Type.String()),
  amountCents: Cents,
  rateVersionId: Nullable(Type.String()),
  trace: Type.Record(Type.String(), Type.Unknown()),
});

export const Bill = Type.Intersect([
  BillSummary,
  Type.Object({
    object: Type.Literal('bill'),
    accountId: Type.String(),
    workflowId: Nullable(Type.String()),
    segments: Type.Array(
      Type.Object({
        id: Type.String(),
        serviceAgreementId: Type.String(),
        serviceType: Type.String(),
        startReadId: Nullable(Type.String()),
        endReadId: Nullable(Type.String()),
        consumption: Nullable(Type.String()),
        unit: Nullable(Type.String()),
        totalCents: Cents,
        lines: Type.Array(BillLine),
      }),
    ),
  }),
]);

export const AccountSummary = Type.Object({
  id: Type.String(),
  object: Type.Literal('account'),
  accountNumber: Type.String(),
  status: Type.String(),
  customerClass: Type.String(),
  billingCycle: Type.String(),
  paperless: Type.Boolean(),
  customer: Type.Object({ id: Type.String(), name: Type.String() }),
  balanceCents: Cents,
  /** net metering: the credit carried to the next bill (the account's nem_credit ledger balance) */
  netMeteringCreditCents: Cents,
  dueDate: Nullable(Type.String()),
  serviceAgreements: Type.Array(
    Type.Object({
      id: Type.String(),
      serviceType: Type.String(),
      status: Type.String(),
      startDate: Type.String(),
      endDate: Nullable(Type.String()),
      rateSchedule: Type.String(),
      addressLine1: Type.String(),
      city: Type.String(),
      state: Type.String(),
      postalCode: Type.String(),
    }),
  ),
  bills: Type.Array(BillSummary),
  payments: Type.Array(
    Type.Object({
      id: Type.String(),
      amountCents: Cents,
      method: Type.String(),
      status: Type.String(),
      receivedAt: Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' }),
      /** when it reached the ledger (posted or settled); null while processing, or if it failed */
      postedAt: Nullable(Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' })),
      confirmationNumber: Type.String(),
      methodBrand: Nullable(Type.String()),
      methodLast4: Nullable(Type.String()),
    }),
  ),
});
