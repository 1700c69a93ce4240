// What the account's usage, reads and aging routes answer (usage.ts): shared with the pages (type-only).
import { Type } from '@sinclair/typebox';
import { AgingBuckets, Cents, DecimalString, Nullable, Period } from '../schemas.js';

const UsageMonth = Type.Object({
  period: Period,
  quantity: Nullable(DecimalString),
  lastYear: Nullable(DecimalString),
});
export const Usage = Type.Object({
  object: Type.Literal('usage'),
  accountId: Type.String(),
  months: Type.Integer(),
  periods: Type.Array(Period),
  services: Type.Array(
    Type.Object({
      serviceType: Type.String(),
      unit: Type.String(),
      meters: Type.Array(Type.String(), { description: 'meter serial numbers' }),
      servicePointIds: Type.Array(Type.String(), {
        description: 'where the service is delivered (for Green Button downloads)',
      }),
      usage: Type.Array(UsageMonth),
      totals: Type.Object({ quantity: DecimalString, lastYear: Nullable(DecimalString) }),
    }),
  ),
});

/** One of the account's recent meter reads (GET /accounts/:id/reads). */
export const AccountRead = Type.Object({
  id: Type.String(),
  meterId: Type.String(),
  serialNumber: Type.String(),
  serviceType: Type.String(),
  readAt: Type.String(),
  value: Type.String(),
  unit: Type.String(),
  source: Type.String(),
  quality: Type.String(),
  superseded: Type.Boolean(),
});

/** The account's balance by age of its open charges (GET /accounts/:id/aging). */
export const AccountAging = Type.Object({
  object: Type.Literal('account_aging'),
  accountId: Type.String(),
  balanceCents: Cents,
  buckets: AgingBuckets,
  oldestOpenCharge: Nullable(Type.String()),
});

const UsagePoint = Type.Object({
  start: Type.String({ description: 'hour: the instant it starts (UTC); day: the local date' }),
  local: Type.String({ description: 'the local wall clock (YYYY-MM-DDTHH:MM) or date' }),
  quantity: Nullable(DecimalString),
  estimatedCents: Type.Optional(
    Nullable(
      Type.Integer({ description: "by day: an estimate of the day's cost in cents under the tariff" }),
    ),
  ),
});
/** Hourly or daily usage from interval data (GET /accounts/:id/usage?granularity=…). */
export const IntervalUsage = Type.Object({
  object: Type.Literal('interval_usage'),
  accountId: Type.String(),
  granularity: Type.Union([Type.Literal('day'), Type.Literal('hour')]),
  from: Type.String(),
  to: Type.String(),
  timeZone: Type.String(),
  /** says plainly that the cost figures are estimates */
  costNote: Nullable(Type.String()),
  services: Type.Array(
    Type.Object({
      serviceType: Type.String(),
      unit: Type.String(),
      meters: Type.Array(Type.String(), { description: 'meter serial numbers' }),
      points: Type.Array(UsagePoint),
      totals: Type.Object({
        quantity: DecimalString,
        estimatedCents: Type.Optional(Nullable(Cents)),
      }),
    }),
  ),
});
