// What the rate-impact routes take and answer (rate-impact.ts): shared with the staff console (type-only).
import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from '../schemas.js';

export const ImpactReportRequest = Type.Object(
  {
    versionId: Type.Optional(
      Type.String({ maxLength: 64, description: 'a version of this schedule not yet in effect' }),
    ),
    tariff: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'a proposed native tariff (schema cisflow.tariff/1); see docs/tariff-format.md',
      }),
    ),
    pageSize: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 5000, description: 'accounts per page (default 2,000)' }),
    ),
  },
  { additionalProperties: false },
);

const Money = Type.Object({
  currentCents: Type.Integer(),
  proposedCents: Type.Integer(),
  changeCents: Type.Integer(),
});

const AccountChange = Type.Object({
  accountId: Type.String(),
  accountNumber: Type.String(),
  customerClass: Type.String(),
  months: Type.Integer(),
  currentCents: Type.Integer(),
  proposedCents: Type.Integer(),
  changeCents: Type.Integer(),
});

export const ImpactFigures = Type.Object({
  accounts: Type.Integer({ description: 'accounts rated (those with a billed month in the window)' }),
  service: Type.String(),
  total: Money,
  byClass: Type.Array(
    Type.Intersect([
      Type.Object({ customerClass: Type.String(), service: Type.String(), accounts: Type.Integer() }),
      Money,
    ]),
  ),
  billChange: Type.Object({
    rule: Type.String(),
    medianCents: Nullable(Type.Integer()),
    p90Cents: Nullable(Type.Integer()),
    minCents: Nullable(Type.Integer()),
    maxCents: Nullable(Type.Integer()),
    increased: Type.Integer(),
    decreased: Type.Integer(),
    unchanged: Type.Integer(),
  }),
  largestIncreases: Type.Array(AccountChange),
});

export const ImpactReport = Type.Object({
  object: Type.Literal('rate_impact_report'),
  id: Type.String(),
  rateScheduleId: Type.String(),
  serviceType: Type.String(),
  currentVersionId: Type.String(),
  proposedVersionId: Nullable(Type.String()),
  months: Type.Object({ from: Type.String(), to: Type.String() }),
  status: Type.Union([
    Type.Literal('pending'),
    Type.Literal('running'),
    Type.Literal('completed'),
    Type.Literal('failed'),
  ]),
  workflowId: Type.String(),
  progress: Type.Object({
    accounts: Nullable(Type.Integer({ description: 'accounts planned' })),
    rated: Type.Integer(),
    pages: Nullable(Type.Integer()),
    pagesDone: Nullable(Type.Integer()),
    failed: Type.Integer(),
  }),
  figures: Nullable(ImpactFigures),
  createdAt: Type.String(),
  completedAt: Nullable(Type.String()),
});
export type ImpactReport = Static<typeof ImpactReport>;
