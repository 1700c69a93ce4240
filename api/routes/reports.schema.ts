// What the report routes answer (reports.ts): shared with the staff console (type-only).
import { Type } from '@sinclair/typebox';
import { AgingBuckets, Cents, Nullable } from '../schemas.js';

const Ratio = Type.Object({
  numerator: Type.Integer(),
  denominator: Type.Integer(),
  percent: Nullable(Type.String({ description: 'two decimals, e.g. "12.50"' })),
});

export const ArAgingReport = Type.Object({
  object: Type.Literal('report.ar_aging'),
  asOf: Type.String(),
  totalReceivableCents: Cents,
  creditBalancesCents: Cents,
  accountsOwing: Type.Integer(),
  buckets: AgingBuckets,
});

export const KpiReport = Type.Object({
  object: Type.Literal('report.kpis'),
  days: Type.Integer(),
  dso: Type.Object({
    receivableCents: Cents,
    billedCents: Cents,
    days: Nullable(Type.String({ description: 'receivable / billed × days, one decimal' })),
  }),
  paperless: Ratio,
  exceptionRate: Ratio,
  disputeRate: Ratio,
});
