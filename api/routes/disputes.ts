// Bill disputes: the customer (portal) or staff open one on a bill; billing staff resolve it.
import { Type } from '@sinclair/typebox';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { billAccountId } from '../../db/billing.js';
import {
  accountDisputes,
  disputeAccountId,
  disputeEvents,
  disputesByStatus,
  getDispute,
  openDispute,
} from '../../db/disputes.js';
import {
  DISPUTE,
  DISPUTE_RESOLUTIONS,
  DISPUTE_STATUSES,
  type DisputeWorkflow,
  disputeStateQuery,
  resolveDisputeUpdate,
} from '../../workflows/contracts/dispute.js';
import { taskQueueName } from '../../workflows/contracts/names.js';
import { ApiError, found } from '../errors.js';
import { idParam, STAFF, staffOrOwner } from '../plugins/auth.js';
import { IdParams, List } from '../schemas.js';
import { type App, type AppDeps, workflowUiUrl } from '../types.js';

const Dispute = Type.Object({ object: Type.Literal('dispute') }, { additionalProperties: true });

export default async function disputeRoutes(app: App, deps: AppDeps) {
  const { sql, temporal } = deps;
  const taskQueue = taskQueueName(DISPUTE.taskQueue, temporal.taskQueuePrefix);

  const view = async (id: string, staff: boolean) => {
    const d = found(await getDispute(sql, id), 'dispute', id);
    const live = await temporal.client.workflow
      .getHandle(d.workflowId)
      .query(disputeStateQuery)
      .catch(() => null);
    return {
      object: 'dispute' as const,
      ...d,
      reread: live?.reread ?? null,
      url: staff ? workflowUiUrl(temporal, d.workflowId) : null,
      events: await disputeEvents(sql, id),
    };
  };

  app.post(
    '/bills/:id/disputes',
    {
      config: { access: staffOrOwner((req) => billAccountId(sql, idParam(req))) },
      schema: {
        tags: ['disputes'],
        summary: 'Dispute a bill, with a reason; optionally ask for the meter to be re-read',
        params: IdParams,
        body: Type.Object(
          {
            reason: Type.String({ minLength: 3, maxLength: 2000 }),
            amount_cents: Type.Optional(Type.Integer({ minimum: 1 })),
            reread: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 201: Dispute },
      },
    },
    async (req, reply) => {
      const d = await openDispute(sql, {
        billId: req.params.id,
        reason: req.body.reason,
        amountCents: req.body.amount_cents,
        reread: req.body.reread ?? false,
        openedBy: req.user!.kind === 'staff' ? req.user!.id : `customer:${req.user!.id}`,
      });
      await temporal.client.workflow.start<DisputeWorkflow>(DISPUTE.type, {
        workflowId: d.workflowId,
        taskQueue,
        args: [{ disputeId: d.id }],
      });
      if (req.user!.kind === 'staff') req.auditResource = { type: 'dispute', id: d.id };
      reply.code(201);
      return view(d.id, req.user!.kind === 'staff');
    },
  );

  app.get(
    '/disputes/:id',
    {
      config: { access: staffOrOwner((req) => disputeAccountId(sql, idParam(req))) },
      schema: {
        tags: ['disputes'],
        summary: 'A dispute with its trail (every step, who took it, when)',
        params: IdParams,
        response: { 200: Dispute },
      },
    },
    async (req) => view(req.params.id, req.user!.kind === 'staff'),
  );

  app.get(
    '/accounts/:id/disputes',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['disputes'],
        summary: "The account's disputes, newest first",
        params: IdParams,
        response: { 200: List(Dispute) },
      },
    },
    async (req) => {
      const rows = await accountDisputes(sql, req.params.id);
      return {
        object: 'list' as const,
        has_more: false,
        data: rows.map((r) => ({ object: 'dispute' as const, ...r })),
      };
    },
  );

  app.get(
    '/disputes',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['disputes'],
        summary: 'Disputes by status (open, investigating, escalated, resolved), oldest SLA first',
        querystring: Type.Object({
          status: Type.Optional(Type.Union(DISPUTE_STATUSES.map((s) => Type.Literal(s)))),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
        }),
        response: { 200: List(Dispute) },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      const rows = await disputesByStatus(sql, req.query.status, limit);
      return {
        object: 'list' as const,
        has_more: rows.length > limit,
        data: rows.slice(0, limit).map((r) => ({ object: 'dispute' as const, ...r })),
      };
    },
  );

  app.post(
    '/disputes/:id/resolve',
    {
      config: { access: { staff: STAFF.billing } },
      schema: {
        tags: ['disputes'],
        summary:
          'Resolve: upheld (the bill stands), adjusted (a credit), or rebill (cancel the bill and re-rate it from corrected reads — by default the re-read, where it is lower than the billed read)',
        params: IdParams,
        body: Type.Object(
          {
            resolution: Type.Union(DISPUTE_RESOLUTIONS.map((r) => Type.Literal(r))),
            credit_cents: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000 })),
            corrections: Type.Optional(
              Type.Array(
                Type.Object(
                  {
                    read_id: Type.String({ maxLength: 64 }),
                    value: Type.String({ pattern: '^\\d{1,12}(\\.\\d{1,4})?$' }),
                  },
                  { additionalProperties: false },
                ),
                { maxItems: 20 },
              ),
            ),
            note: Type.Optional(Type.String({ maxLength: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Dispute },
      },
    },
    async (req) => {
      const d = found(await getDispute(sql, req.params.id), 'dispute', req.params.id);
      if (d.status === 'resolved')
        throw new ApiError(
          409,
          'invalid_request_error',
          'dispute_resolved',
          'this dispute is already resolved',
        );
      const b = req.body;
      if (b.resolution === 'adjusted' && !b.credit_cents)
        throw new ApiError(
          400,
          'invalid_request_error',
          'parameter_missing',
          'an adjusted resolution needs credit_cents',
          'credit_cents',
        );
      const by = req.user!.id;
      const resolution =
        b.resolution === 'adjusted'
          ? { resolution: 'adjusted' as const, by, note: b.note, creditCents: b.credit_cents! }
          : b.resolution === 'rebill'
            ? {
                resolution: 'rebill' as const,
                by,
                note: b.note,
                corrections: b.corrections?.map((c) => ({ readId: c.read_id, value: c.value })),
              }
            : { resolution: 'upheld' as const, by, note: b.note };
      try {
        await temporal.client.workflow
          .getHandle(d.workflowId)
          .executeUpdate(resolveDisputeUpdate, { args: [resolution] });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) {
          const cause = (err.cause as Error | undefined)?.message ?? err.message;
          throw new ApiError(409, 'invalid_request_error', 'resolution_refused', cause);
        }
        throw err;
      }
      req.auditResource = { type: 'dispute', id: d.id, detail: b };
      return view(d.id, true);
    },
  );
}
