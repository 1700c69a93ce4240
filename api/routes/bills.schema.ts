// One of an account's workflows as GET /accounts/:id/workflows lists it (bills.ts): shared with the staff
// console (type-only).
import { Type } from '@sinclair/typebox';
import { Cents, Nullable, Period } from '../schemas.js';

export const AccountWorkflow = Type.Object({
  workflowId: Type.String(),
  type: Type.String(),
  status: Type.String(),
  billStatus: Type.Union([Type.String(), Type.Null()]),
  startTime: Type.String(),
  url: Type.Union([Type.String(), Type.Null()]),
  /** what it drives, from its row: the console names the workflow by this, not by its id */
  about: Nullable(
    Type.Object({
      subjectType: Type.String({
        description: 'dispute, service_request, bill, collection, arrangement, payment',
      }),
      subjectId: Type.String(),
      status: Type.String(),
      subject: Nullable(
        Type.String({ description: "a request's kind, a bill's period, a payment's method" }),
      ),
      dueOn: Nullable(Type.String({ description: "a dispute's SLA day" })),
    }),
  ),
});

// GET /bills/:id/explanation (domain/bill-explain.ts): shared with the portal's explanation view (type-only).
// Usage changes are signed decimals; the portal words every kind in English or Spanish.
const Signed = Type.String({ description: 'exact decimal, may be negative' });
const Proration = Type.Object({
  from: Type.String(),
  to: Type.String(),
  days: Type.Integer(),
  periodDays: Type.Integer(),
});
const LineKind = Type.Union([
  Type.Literal('fixed'),
  Type.Literal('usage'),
  Type.Literal('rider'),
  Type.Literal('tax'),
  Type.Literal('minimum'),
  Type.Literal('demand'),
  Type.Literal('credit'),
  Type.Literal('other'),
]);
export const ExplainedLine = Type.Object({
  seq: Type.Integer(),
  serviceType: Type.String(),
  kind: LineKind,
  component: Type.String(),
  description: Type.String(),
  amountCents: Cents,
  quantity: Nullable(Type.String()),
  unit: Nullable(Type.String()),
  unitPrice: Nullable(Type.String()),
  percent: Nullable(Type.String()),
  tier: Nullable(Type.Object({ n: Type.Integer(), from: Type.String(), to: Nullable(Type.String()) })),
  season: Nullable(Type.String()),
  touPeriod: Nullable(Type.String()),
  proration: Nullable(Proration),
  basis: Nullable(
    Type.Object({
      on: Type.Union([Type.Literal('water'), Type.Literal('winter_average')]),
      cappedAt: Nullable(Type.String()),
    }),
  ),
  exempt: Type.Boolean(),
  rateVersionId: Nullable(Type.String()),
  scheduleCode: Nullable(Type.String()),
  trace: Type.Record(Type.String(), Type.Unknown()),
});
const Driver = Type.Union([
  Type.Object({ kind: Type.Literal('days'), cents: Cents, days: Type.Integer() }),
  Type.Object({
    kind: Type.Literal('usage'),
    cents: Cents,
    services: Type.Array(
      Type.Object({ serviceType: Type.String(), unit: Nullable(Type.String()), change: Signed }),
    ),
  }),
  Type.Object({
    kind: Type.Literal('tier'),
    cents: Cents,
    moves: Type.Array(
      Type.Object({
        serviceType: Type.String(),
        component: Type.String(),
        tier: Type.Integer(),
        unit: Nullable(Type.String()),
        change: Signed,
      }),
    ),
  }),
  Type.Object({
    kind: Type.Literal('rate'),
    cents: Cents,
    services: Type.Array(
      Type.Object({
        serviceType: Type.String(),
        from: Type.Array(Type.String()),
        to: Type.Array(Type.String()),
      }),
    ),
  }),
  Type.Object({
    kind: Type.Literal('other'),
    cents: Cents,
    linesCents: Cents,
    roundingCents: Cents,
  }),
]);
const Comparison = Type.Object({
  billId: Type.String(),
  period: Period,
  periodStart: Type.String(),
  periodEnd: Type.String(),
  totalCents: Cents,
  days: Type.Integer(),
  changeCents: Cents,
  services: Type.Array(
    Type.Object({
      serviceType: Type.String(),
      unit: Nullable(Type.String()),
      usage: Type.Object({
        this: Nullable(Type.String()),
        other: Nullable(Type.String()),
        change: Nullable(Signed),
      }),
      days: Type.Object({ this: Nullable(Type.Integer()), other: Nullable(Type.Integer()) }),
      rateVersions: Type.Object({
        this: Type.Array(Type.String()),
        other: Type.Array(Type.String()),
        changed: Type.Boolean(),
      }),
      tiers: Type.Array(
        Type.Object({
          component: Type.String(),
          tier: Type.Integer(),
          this: Type.String(),
          other: Type.String(),
        }),
      ),
    }),
  ),
  drivers: Type.Array(Driver, { description: 'largest first (absolute cents); they add up to changeCents' }),
});
export const BillExplanation = Type.Object({
  object: Type.Literal('bill_explanation'),
  billId: Type.String(),
  period: Period,
  periodStart: Type.String(),
  periodEnd: Type.String(),
  totalCents: Cents,
  days: Type.Integer(),
  segments: Type.Array(
    Type.Object({
      serviceType: Type.String(),
      unit: Nullable(Type.String()),
      usage: Nullable(Type.String()),
      days: Type.Integer(),
      totalCents: Cents,
      reads: Nullable(
        Type.Object({
          startValue: Type.String(),
          endValue: Type.String(),
          multiplier: Type.String(),
          estimated: Type.Boolean(),
          rollover: Type.Boolean(),
        }),
      ),
      intervals: Nullable(
        Type.Object(
          {
            timeZone: Type.String(),
            count: Type.Integer(),
            estimated: Type.Integer({ description: "filled by cisflow's gap rule (quality 1)" }),
            vendorEstimated: Type.Integer(),
            byPeriod: Type.Array(Type.Object({ period: Type.String(), quantity: Type.String() }), {
              description: 'delivered kWh per TOU period',
            }),
            peak: Nullable(
              Type.Object({
                kw: Type.String(),
                at: Type.String({
                  description: 'local start with its UTC offset, e.g. 2026-11-17T18:00-06:00',
                }),
              }),
            ),
          },
          { description: 'billed from interval data: what the intervals gave' },
        ),
      ),
      rateVersionIds: Type.Array(Type.String()),
      lines: Type.Array(ExplainedLine),
    }),
  ),
  previous: Nullable(Comparison),
  lastYear: Nullable(Comparison),
});
