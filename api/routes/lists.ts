// Staff lists (issue 20 item 6): bill runs with their figures, billing cycles with their schedules, customers,
// meters and service orders; cursor-paginated (limit, starting_after -> has_more) and filterable.
// GET /rate-schedules is in rate-schedules.ts and GET /premises in premises.ts.
import { type TSchema, Type } from '@sinclair/typebox';
import { ScheduleNotFoundError } from '@temporalio/client';
import {
  listBillingCycles,
  listBillRuns,
  listCustomers,
  listMeters,
  listServiceOrders,
} from '../../db/staff-lists.js';
import { billRunScheduleId } from '../../workflows/contracts/bill-run.js';
import { STAFF } from '../plugins/auth.js';
import { List, ListQuery, Nullable, Period } from '../schemas.js';
import type { App, AppDeps } from '../types.js';
import { BillRunSummary } from './bill-runs.schema.js';

const Cycle = Type.String({ pattern: '^\\d{2}$', description: 'billing cycle, e.g. "07"' });
const query = <T extends TSchema>(filters: T) => Type.Intersect([ListQuery, filters]);
const list = <R>(
  object: string,
  r: { data: R[]; hasMore: boolean },
  shape: (x: R) => object = (x) => x as object,
) => ({
  object: 'list' as const,
  has_more: r.hasMore,
  data: r.data.map((x) => ({ object, ...shape(x) })),
});
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export default async function listRoutes(app: App, deps: AppDeps) {
  const { sql, temporal } = deps;
  const staff = { access: { staff: STAFF.any } };

  app.get(
    '/bill-runs',
    {
      config: staff,
      schema: {
        tags: ['bill runs'],
        summary:
          'Bill run history, newest period first: bills issued, held for staff and cancelled, and the total billed',
        querystring: query(
          Type.Object({
            cycle: Type.Optional(Cycle),
            period_from: Type.Optional(Period),
            period_to: Type.Optional(Period),
          }),
        ),
        response: {
          200: List(BillRunSummary),
        },
      },
    },
    async (req) => {
      const q = req.query;
      const r = await listBillRuns(sql, {
        cycle: q.cycle,
        periodFrom: q.period_from,
        periodTo: q.period_to,
        limit: q.limit ?? 20,
        startingAfter: q.starting_after,
      });
      return list('bill_run_summary', r, (x) => ({
        ...x,
        firstBillAt: x.firstBillAt.toISOString(),
        lastBillAt: x.lastBillAt.toISOString(),
      })) as never;
    },
  );

  // a cycle's Temporal schedule, or null when it has none
  const scheduleOf = async (cycle: string) => {
    try {
      const d = await temporal.client.schedule.getHandle(billRunScheduleId(cycle)).describe();
      return {
        paused: d.state.paused,
        nextRun: d.info.nextActionTimes[0]?.toISOString() ?? null,
        spec: d.spec.calendars?.[0]
          ? {
              dayOfMonth: Number(
                (d.spec.calendars[0].dayOfMonth as { start: number }[] | undefined)?.[0]?.start ?? 0,
              ),
              hour: Number((d.spec.calendars[0].hour as { start: number }[] | undefined)?.[0]?.start ?? 0),
              timeZone: d.spec.timezone ?? 'UTC',
            }
          : null,
      };
    } catch (e) {
      if (e instanceof ScheduleNotFoundError) return null;
      throw e;
    }
  };

  app.get(
    '/billing-cycles',
    {
      config: staff,
      schema: {
        tags: ['bill runs'],
        summary:
          'Billing cycles: active accounts (what a run bills), the last run (billed, held) and the schedule with its next run',
        querystring: query(Type.Object({ cycle: Type.Optional(Cycle) })),
        response: {
          200: List(
            Type.Object({
              object: Type.Literal('billing_cycle'),
              cycle: Type.String(),
              activeAccounts: Type.Integer(),
              lastPeriod: Nullable(Type.String()),
              lastBilled: Type.Integer(),
              lastHeld: Type.Integer(),
              schedule: Nullable(
                Type.Object({
                  paused: Type.Boolean(),
                  nextRun: Nullable(Type.String()),
                  spec: Nullable(
                    Type.Object({
                      dayOfMonth: Type.Integer(),
                      hour: Type.Integer(),
                      timeZone: Type.String(),
                    }),
                  ),
                }),
              ),
            }),
          ),
        },
      },
    },
    async (req) => {
      const r = await listBillingCycles(sql, {
        cycle: req.query.cycle,
        limit: req.query.limit ?? 20,
        startingAfter: req.query.starting_after,
      });
      const schedules = await Promise.all(r.data.map((c) => scheduleOf(c.cycle)));
      return list('billing_cycle', r, (c) => ({ ...c, schedule: schedules[r.data.indexOf(c)] })) as never;
    },
  );

  app.get(
    '/customers',
    {
      config: staff,
      schema: {
        tags: ['accounts'],
        summary: 'Customers, matching q on name, email or phone',
        querystring: query(
          Type.Object({
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            kind: Type.Optional(Type.Union([Type.Literal('person'), Type.Literal('business')])),
            language: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('es')])),
          }),
        ),
        response: {
          200: List(
            Type.Object({
              object: Type.Literal('customer'),
              id: Type.String(),
              kind: Type.String(),
              name: Type.String(),
              email: Nullable(Type.String()),
              phone: Nullable(Type.String()),
              language: Type.String(),
              accounts: Type.Integer(),
              createdAt: Type.String(),
            }),
          ),
        },
      },
    },
    async (req) => {
      const q = req.query;
      const r = await listCustomers(sql, {
        q: q.q,
        kind: q.kind,
        language: q.language,
        limit: q.limit ?? 20,
        startingAfter: q.starting_after,
      });
      return list('customer', r, (c) => ({ ...c, createdAt: c.createdAt.toISOString() })) as never;
    },
  );

  const Read = Type.Object({
    id: Type.String(),
    readAt: Type.String(),
    value: Type.String(),
    source: Type.String(),
    quality: Type.String(),
  });
  app.get(
    '/meters',
    {
      config: staff,
      schema: {
        tags: ['premises'],
        summary: 'Meters, each with where it is installed now (null: not installed) and its last read',
        querystring: query(
          Type.Object({
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'serial number' })),
            kind: Type.Optional(Type.Union(['water', 'electric', 'gas'].map((k) => Type.Literal(k)))),
            installed: Type.Optional(Type.Boolean()),
          }),
        ),
        response: {
          200: List(
            Type.Object({
              object: Type.Literal('meter'),
              id: Type.String(),
              serialNumber: Type.String(),
              kind: Type.String(),
              unit: Type.String(),
              size: Nullable(Type.String()),
              installation: Nullable(
                Type.Object({
                  servicePointId: Type.String(),
                  premiseId: Type.String(),
                  addressLine1: Type.String(),
                  city: Type.String(),
                  installedAt: Type.String(),
                }),
              ),
              lastRead: Nullable(Read),
            }),
          ),
        },
      },
    },
    async (req) => {
      const q = req.query;
      const r = await listMeters(sql, {
        q: q.q,
        kind: q.kind,
        installed: q.installed,
        limit: q.limit ?? 20,
        startingAfter: q.starting_after,
      });
      // json_build_object gives PostgreSQL's timestamp text: answer ISO like every other time
      return list('meter', r, (m) => ({
        ...m,
        installation: m.installation && {
          ...m.installation,
          installedAt: new Date(m.installation.installedAt).toISOString(),
        },
        lastRead: m.lastRead && { ...m.lastRead, readAt: new Date(m.lastRead.readAt).toISOString() },
      })) as never;
    },
  );

  app.get(
    '/service-orders',
    {
      config: staff,
      schema: {
        tags: ['collections'],
        summary: 'Field orders (disconnects, reconnects, re-reads, start and final reads), newest first',
        querystring: query(
          Type.Object({
            status: Type.Optional(Type.Union(['open', 'completed', 'cancelled'].map((s) => Type.Literal(s)))),
            kind: Type.Optional(
              Type.Union(
                ['disconnect', 'reconnect', 'reread', 'final_read', 'start_read'].map((k) => Type.Literal(k)),
              ),
            ),
            account_id: Type.Optional(Type.String({ maxLength: 64 })),
          }),
        ),
        response: {
          200: List(
            Type.Object({
              object: Type.Literal('service_order'),
              id: Type.String(),
              accountId: Type.String(),
              accountNumber: Type.String(),
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
      const q = req.query;
      const r = await listServiceOrders(sql, {
        status: q.status,
        kind: q.kind,
        accountId: q.account_id,
        limit: q.limit ?? 20,
        startingAfter: q.starting_after,
      });
      return list('service_order', r, (o) => ({
        ...o,
        createdAt: o.createdAt.toISOString(),
        completedAt: iso(o.completedAt),
      })) as never;
    },
  );
}
