// Bill runs, their schedules, and the exceptions queue: what billing staff run and watch.
import { Type } from '@sinclair/typebox';
import {
  ScheduleNotFoundError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import {
  assignBillException,
  billException,
  heldBillFacts,
  listBillExceptions,
} from '../../db/bill-exceptions.js';
import { billRunPreview } from '../../db/staff-lists.js';
import { canonicalTimeZone } from '../../domain/import/local-time.js';
import {
  BILL_RUN,
  type BillRunProgress,
  type BillRunWorkflow,
  billRunProgressQuery,
  billRunWorkflowId,
  scheduledBillRunWorkflowId,
  billRunScheduleId as scheduleId,
} from '../../workflows/contracts/bill-run.js';
import {
  EXCEPTION_STATUSES,
  RESOLUTION_ACTIONS,
  resolveExceptionUpdate,
} from '../../workflows/contracts/billing-cycle.js';
import { taskQueueName } from '../../workflows/contracts/names.js';
import { BillingCycle } from '../../workflows/contracts/search-attributes.js';
import { ApiError, found, notFound } from '../errors.js';
import { STAFF } from '../plugins/auth.js';
import { IdParams, IsoDate, List, ListQuery, Period } from '../schemas.js';
import { type App, type AppDeps, workflowUiUrl } from '../types.js';
import { BillException, BillRun, BillRunPreview, ExceptionAssignment } from './bill-runs.schema.js';

const Cycle = Type.String({ pattern: '^\\d{2}$', description: 'billing cycle, e.g. "07"' });

export default async function billRunRoutes(app: App, deps: AppDeps) {
  const { sql, temporal } = deps;
  const taskQueue = taskQueueName(BILL_RUN.taskQueue, temporal.taskQueuePrefix);
  const billing = { access: { staff: STAFF.billing } };

  const describeRun = async (workflowId: string) => {
    const h = temporal.client.workflow.getHandle<BillRunWorkflow>(workflowId);
    const d = await h.describe().catch(() => null);
    if (!d) return null;
    const running = d.status.name === 'RUNNING';
    const progress: BillRunProgress | null = running
      ? await h.query(billRunProgressQuery).catch(() => null)
      : await h.result().catch(() => null);
    return {
      object: 'bill_run' as const,
      workflowId,
      url: workflowUiUrl(temporal, workflowId),
      running,
      progress: progress as never,
    };
  };

  app.post(
    '/bill-runs',
    {
      config: billing,
      schema: {
        tags: ['bill runs'],
        summary: 'Start (or re-run) the bill run for a cycle and period; re-running bills no one twice',
        body: Type.Object(
          {
            cycle: Cycle,
            period: Period,
            pageSize: Type.Optional(Type.Integer({ minimum: 10, maximum: 5000 })),
          },
          { additionalProperties: false },
        ),
        response: { 202: BillRun },
      },
    },
    async (req, reply) => {
      const { cycle, period } = req.body;
      const workflowId = billRunWorkflowId(cycle, period);
      try {
        await temporal.client.workflow.start<BillRunWorkflow>(BILL_RUN.type, {
          workflowId,
          taskQueue,
          args: [{ cycle, period, policy: req.body.pageSize ? { pageSize: req.body.pageSize } : {} }],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'ALLOW_DUPLICATE', // a finished run may be run again: it is idempotent
          typedSearchAttributes: [{ key: BillingCycle, value: cycle }],
        });
      } catch (e) {
        if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      }
      req.auditResource = { type: 'bill_run', id: workflowId };
      return reply.status(202).send((await describeRun(workflowId))!);
    },
  );

  app.get(
    '/bill-runs/:cycle/:period',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['bill runs'],
        summary: "A bill run's live progress: total, billed, held, estimated, failed",
        params: Type.Object({ cycle: Cycle, period: Period }),
        response: { 200: BillRun },
      },
    },
    async (req) => {
      return found(
        await describeRun(billRunWorkflowId(req.params.cycle, req.params.period)),
        'bill run',
        `${req.params.cycle}/${req.params.period}`,
      );
    },
  );

  app.get(
    '/bill-runs/:cycle/:period/preview',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['bill runs'],
        summary:
          "What starting this run would do (read-only): the cycle's active accounts, how many already have a bill for the period, and its last run's billed and held counts",
        params: Type.Object({ cycle: Cycle, period: Period }),
        response: { 200: BillRunPreview },
      },
    },
    async (req) => ({
      object: 'bill_run_preview' as const,
      ...(await billRunPreview(sql, req.params.cycle, req.params.period)),
    }),
  );

  // ---------------------------------------------------------------- schedules
  const ScheduleBody = Type.Object(
    {
      dayOfMonth: Type.Integer({ minimum: 1, maximum: 28, description: 'the day each month the run starts' }),
      hour: Type.Optional(Type.Integer({ minimum: 0, maximum: 23, default: 2 })),
      timeZone: Type.Optional(Type.String({ maxLength: 60, default: 'UTC' })),
    },
    { additionalProperties: false },
  );
  const ScheduleOut = Type.Object({
    object: Type.Literal('bill_run_schedule'),
    scheduleId: Type.String(),
    paused: Type.Boolean(),
    nextRuns: Type.Array(Type.String()),
    recentRuns: Type.Array(Type.String()),
  });
  const describeSchedule = async (cycle: string) => {
    try {
      const d = await temporal.client.schedule.getHandle(scheduleId(cycle)).describe();
      return {
        object: 'bill_run_schedule' as const,
        scheduleId: d.scheduleId,
        paused: d.state.paused,
        nextRuns: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
        recentRuns: d.info.recentActions.slice(-5).map((a) => a.action.workflow.workflowId),
      };
    } catch (e) {
      if (e instanceof ScheduleNotFoundError) throw notFound('schedule for cycle', cycle, 'cycle');
      throw e;
    }
  };
  const CycleParams = Type.Object({ cycle: Cycle });

  app.put(
    '/billing-cycles/:cycle/schedule',
    {
      config: billing,
      schema: {
        tags: ['bill runs'],
        summary: "Create or change a cycle's monthly bill-run schedule (a Temporal Schedule)",
        params: CycleParams,
        body: ScheduleBody,
        response: { 200: ScheduleOut },
      },
    },
    async (req) => {
      const { cycle } = req.params;
      // Temporal's zone names are case-sensitive IANA names: send the canonical one, or refuse
      const timezone = canonicalTimeZone(req.body.timeZone ?? 'UTC');
      if (!timezone)
        throw new ApiError(
          400,
          'invalid_request_error',
          'parameter_invalid',
          'timeZone is not an IANA time zone (e.g. America/Chicago)',
          'timeZone',
        );
      const spec = {
        calendars: [{ dayOfMonth: req.body.dayOfMonth, hour: req.body.hour ?? 2, minute: 0 }],
        timezone,
      };
      // no period given: each run bills the month before it starts
      const action = {
        type: 'startWorkflow' as const,
        workflowType: BILL_RUN.type,
        taskQueue,
        args: [{ cycle }] as [{ cycle: string }],
        workflowId: scheduledBillRunWorkflowId(cycle),
      };
      const h = temporal.client.schedule.getHandle(scheduleId(cycle));
      try {
        await h.update((prev) => ({ ...prev, spec, action }));
      } catch (e) {
        if (!(e instanceof ScheduleNotFoundError)) throw e;
        await temporal.client.schedule.create({
          scheduleId: scheduleId(cycle),
          spec,
          action,
          policies: { overlap: 'SKIP', catchupWindow: '1 day' },
        });
      }
      req.auditResource = { type: 'bill_run_schedule', id: scheduleId(cycle), detail: req.body };
      return describeSchedule(cycle);
    },
  );

  app.get(
    '/billing-cycles/:cycle/schedule',
    {
      config: { access: { staff: STAFF.any } },
      schema: { tags: ['bill runs'], params: CycleParams, response: { 200: ScheduleOut } },
    },
    async (req) => describeSchedule(req.params.cycle),
  );

  app.post(
    '/billing-cycles/:cycle/schedule/:action',
    {
      config: billing,
      schema: {
        tags: ['bill runs'],
        summary: 'Pause, unpause or trigger a schedule now; or backfill the runs between two dates',
        params: Type.Object({
          cycle: Cycle,
          action: Type.Union(['pause', 'unpause', 'trigger', 'backfill'].map((a) => Type.Literal(a))),
        }),
        body: Type.Object(
          {
            note: Type.Optional(Type.String({ maxLength: 500 })),
            from: Type.Optional(IsoDate),
            to: Type.Optional(IsoDate),
          },
          { additionalProperties: false },
        ),
        response: { 200: ScheduleOut },
      },
      // the body is optional: a bare POST means "do it" with no note
      preValidation: async (req) => {
        if (req.body === undefined || req.body === null) req.body = {};
      },
    },
    async (req) => {
      const { cycle, action } = req.params;
      const h = temporal.client.schedule.getHandle(scheduleId(cycle));
      const note = req.body?.note ?? `${action} by ${req.user!.email}`;
      await describeSchedule(cycle); // 404 if there is none
      if (action === 'pause') await h.pause(note);
      else if (action === 'unpause') await h.unpause(note);
      else if (action === 'trigger') await h.trigger('SKIP');
      else {
        if (!req.body?.from || !req.body.to)
          throw new ApiError(
            400,
            'invalid_request_error',
            'parameter_missing',
            'backfill needs from and to',
            'from',
          );
        await h.backfill({
          start: new Date(`${req.body.from}T00:00:00Z`),
          end: new Date(`${req.body.to}T23:59:59Z`),
          overlap: 'ALLOW_ALL',
        });
      }
      req.auditResource = { type: 'bill_run_schedule', id: scheduleId(cycle), detail: { action, note } };
      return describeSchedule(cycle);
    },
  );

  // ---------------------------------------------------------------- exceptions queue
  app.get(
    '/exceptions',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['exceptions'],
        summary:
          "Held bills waiting for staff, oldest first: each with what it would total if approved, the suspect read and its meter's last reads",
        querystring: Type.Intersect([
          ListQuery,
          Type.Object({
            status: Type.Optional(Type.Union(EXCEPTION_STATUSES.map((s) => Type.Literal(s)))),
            reason: Type.Optional(
              Type.String({ pattern: '^[a-z_]{1,40}$', description: 'a hold code, e.g. high_usage' }),
            ),
            cycle: Type.Optional(Cycle),
            min_age_days: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })),
            assignee: Type.Optional(
              Type.String({ maxLength: 64, description: 'a staff user id, or "none"' }),
            ),
          }),
        ]),
        response: { 200: List(BillException) },
      },
    },
    async (req) => {
      const q = req.query;
      const { exceptions, hasMore } = await listBillExceptions(sql, {
        statuses: q.status ? [q.status] : ['open', 'escalated'],
        reason: q.reason,
        cycle: q.cycle,
        minAgeDays: q.min_age_days,
        assignee: q.assignee,
        startingAfter: q.starting_after,
        limit: q.limit ?? 20,
      });
      // what a bill would be is worth knowing only while someone can still decide it
      const waiting = exceptions.filter((x) => x.status === 'open' || x.status === 'escalated');
      const facts = await heldBillFacts(sql, waiting, deps.clock.timeZone);
      return {
        object: 'list' as const,
        has_more: hasMore,
        data: exceptions.map((r) => {
          const f = facts.get(r.id);
          return {
            ...r,
            object: 'bill_exception' as const,
            createdAt: r.createdAt.toISOString(),
            workflowUrl: workflowUiUrl(temporal, r.workflowId),
            wouldBeCents: f?.wouldBeCents ?? null,
            meters: (f?.meters ?? []).map((m) => ({
              ...m,
              reads: m.reads.map((x) => ({ ...x, readAt: x.readAt.toISOString() })),
            })),
          };
        }),
      };
    },
  );

  app.post(
    '/exceptions/:id/assignment',
    {
      config: billing,
      schema: {
        tags: ['exceptions'],
        summary:
          'Assign a held bill to a staff user (null: to no one) and set the date it should be decided by',
        params: IdParams,
        body: Type.Object(
          {
            assignee_id: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()]),
            sla_due_on: Type.Optional(Type.Union([IsoDate, Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 200: ExceptionAssignment },
      },
    },
    async (req) => {
      const a = await assignBillException(sql, req.params.id, {
        assigneeId: req.body.assignee_id,
        slaDueOn: req.body.sla_due_on ?? null,
      });
      req.auditResource = { type: 'bill_exception', id: req.params.id, detail: { assignment: req.body } };
      return { object: 'bill_exception_assignment' as const, id: req.params.id, ...a };
    },
  );

  app.post(
    '/exceptions/:id/resolve',
    {
      config: billing,
      schema: {
        tags: ['exceptions'],
        summary: 'Resolve a held bill: approve it, correct a read, ask for a re-read, or cancel it',
        params: IdParams,
        body: Type.Object(
          {
            action: Type.Union(RESOLUTION_ACTIONS.map((a) => Type.Literal(a))),
            readId: Type.Optional(Type.String({ maxLength: 64 })),
            value: Type.Optional(Type.String({ pattern: '^\\d{1,12}(\\.\\d{1,9})?$' })),
            note: Type.Optional(Type.String({ maxLength: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            object: Type.Literal('bill_exception_resolution'),
            id: Type.String(),
            action: Type.String(),
            accepted: Type.Boolean(),
          }),
        },
      },
    },
    async (req) => {
      const e = await billException(sql, req.params.id);
      const b = req.body;
      if (b.action === 'adjust_read' && (!b.readId || !b.value)) {
        throw new ApiError(
          400,
          'invalid_request_error',
          'parameter_missing',
          'adjust_read needs readId and value',
          b.readId ? 'value' : 'readId',
        );
      }
      const resolution =
        b.action === 'adjust_read'
          ? {
              action: 'adjust_read' as const,
              by: req.user!.id,
              readId: b.readId!,
              value: b.value!,
              note: b.note,
            }
          : { action: b.action, by: req.user!.id, note: b.note };
      try {
        await temporal.client.workflow
          .getHandle(e.workflowId)
          .executeUpdate(resolveExceptionUpdate, { args: [resolution as never] });
      } catch (err) {
        // the bill's workflow refused (not held) or has finished (issued or cancelled since): either way the
        // exception exists but is no longer waiting
        if (
          err instanceof WorkflowUpdateFailedError ||
          err instanceof WorkflowNotFoundError ||
          /not held|already completed/.test(String(err))
        ) {
          throw new ApiError(
            409,
            'invalid_request_error',
            'exception_not_open',
            `This bill is not waiting for a decision (${e.status})`,
            'id',
          );
        }
        throw err;
      }
      req.auditResource = {
        type: 'bill_exception',
        id: req.params.id,
        detail: { action: b.action, note: b.note ?? null },
      };
      return {
        object: 'bill_exception_resolution' as const,
        id: req.params.id,
        action: b.action,
        accepted: true,
      };
    },
  );
}
