// Reads the portal and the staff console need beyond the account summary: usage history per service with
// last year's comparison, the account's recent meter reads, its receivable aging and its field work.
import { Type } from '@sinclair/typebox';
import { accountAging } from '../../db/aging.js';
import { intervalUsage } from '../../db/interval-usage.js';
import { accountReads } from '../../db/reads.js';
import { accountServiceOrders } from '../../db/service-orders.js';
import { usageHistory } from '../../db/usage.js';
import { addMonths } from '../../domain/period.js';
import { UsageRangeError, usageRange } from '../../domain/usage-range.js';
import { ApiError } from '../errors.js';
import { STAFF, staffOrOwner } from '../plugins/auth.js';
import { IdParams, List, Nullable, Period } from '../schemas.js';
import type { App, AppDeps } from '../types.js';
import { AccountAging, AccountRead, IntervalUsage, Usage } from './usage.schema.js';

export default async function usageRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;

  app.get(
    '/accounts/:id/usage',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['accounts'],
        summary:
          'Monthly usage per metered service for the last 12 or 24 months, each month beside the same month a year before; with granularity=day or hour, usage from interval data for local days from..to (inclusive; at most 31 days of hours or 366 of days), daily with an estimated cost',
        params: IdParams,
        querystring: Type.Object(
          {
            months: Type.Optional(Type.Union([Type.Literal(12), Type.Literal(24)], { default: 12 })),
            through: Type.Optional(Period),
            granularity: Type.Optional(Type.Union([Type.Literal('day'), Type.Literal('hour')])),
            from: Type.Optional(Type.String({ maxLength: 10, description: 'first local date, YYYY-MM-DD' })),
            to: Type.Optional(Type.String({ maxLength: 10, description: 'last local date, inclusive' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Union([Usage, IntervalUsage]) },
      },
    },
    async (req) => {
      const { granularity } = req.query;
      if (!granularity) {
        for (const param of ['from', 'to'] as const)
          if (req.query[param] !== undefined)
            throw new ApiError(
              400,
              'invalid_request_error',
              'parameter_invalid',
              `${param} needs granularity=day or granularity=hour`,
              param,
            );
      } else {
        let range: { from: string; to: string };
        try {
          const r = usageRange(granularity, req.query, req.today);
          range = { from: r.from, to: r.to };
        } catch (e) {
          if (e instanceof UsageRangeError)
            throw new ApiError(400, 'invalid_request_error', 'parameter_invalid', e.message, e.param);
          throw e;
        }
        const timeZone = deps.clock.timeZone;
        const services = await intervalUsage(sql, req.params.id, { granularity, ...range, timeZone });
        return {
          object: 'interval_usage' as const,
          accountId: req.params.id,
          granularity,
          ...range,
          timeZone,
          costNote:
            granularity === 'day'
              ? "Estimated from each day's use under your rate; your bill is calculated on the whole billing period."
              : null,
          services,
        };
      }
      const months = req.query.months ?? 12;
      const last = req.query.through ?? addMonths(req.today.slice(0, 7), -1);
      const h = await usageHistory(sql, req.params.id, months, last);
      return { object: 'usage' as const, accountId: req.params.id, months, ...h };
    },
  );

  app.get(
    '/accounts/:id/reads',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['meters'],
        summary: "The account's most recent meter reads, every meter, with source and quality",
        params: IdParams,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) }),
        response: {
          200: List(AccountRead),
        },
      },
    },
    async (req) => {
      const { reads, hasMore } = await accountReads(sql, req.params.id, req.query.limit ?? 50);
      return {
        object: 'list' as const,
        has_more: hasMore,
        data: reads.map((r) => ({ ...r, readAt: r.readAt.toISOString() })),
      };
    },
  );

  app.get(
    '/accounts/:id/aging',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['reports'],
        summary: "The account's balance by age of its open charges (days since each charge), from the ledger",
        params: IdParams,
        response: {
          200: AccountAging,
        },
      },
    },
    async (req) => {
      return {
        object: 'account_aging' as const,
        accountId: req.params.id,
        ...(await accountAging(sql, req.params.id, deps.clock.today())),
      };
    },
  );

  app.get(
    '/accounts/:id/service-orders',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['collections'],
        summary:
          "The account's field work, newest first: disconnects, reconnects, re-reads, start and final reads, with what asked for each",
        params: IdParams,
        response: {
          200: List(
            Type.Object({
              id: Type.String(),
              object: Type.Literal('service_order'),
              kind: Type.String(),
              status: Type.String(),
              reason: Type.String(),
              sourceType: Nullable(Type.String()),
              sourceId: Nullable(Type.String()),
              createdAt: Type.String(),
              completedAt: Nullable(Type.String()),
            }),
          ),
        },
      },
    },
    async (req) => {
      const { orders, hasMore } = await accountServiceOrders(sql, req.params.id);
      return {
        object: 'list' as const,
        has_more: hasMore,
        data: orders.map((r) => ({
          ...r,
          object: 'service_order' as const,
          createdAt: r.createdAt.toISOString(),
          completedAt: r.completedAt?.toISOString() ?? null,
        })),
      };
    },
  );
}
