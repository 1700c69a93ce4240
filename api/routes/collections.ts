// Collections: the account's dunning state (staff and the customer), collection policy per customer class,
// holds (medical certificate, manual), payment arrangements, and staff adjustments.
import { Type } from '@sinclair/typebox';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { handOffPastDue, signalCollections } from '../../activities/collections.js';
import { findAccount } from '../../db/accounts.js';
import { postAccountAdjustment } from '../../db/adjustments.js';
import { createArrangement, listArrangements } from '../../db/arrangements.js';
import {
  changeHold,
  classCollectionPolicy,
  collectionsView,
  placeHold,
  setClassCollectionPolicy,
} from '../../db/collections.js';
import { parseCollectionPolicy } from '../../domain/collections.js';
import { newId } from '../../lib/ids.js';
import {
  ARRANGEMENT,
  type ArrangementWorkflow,
  arrangementWorkflowId,
} from '../../workflows/contracts/arrangement.js';
import { DUNNING, dunningStateQuery } from '../../workflows/contracts/collections.js';
import { taskQueueName } from '../../workflows/contracts/names.js';
import { ApiError, found, notFound } from '../errors.js';
import { STAFF, staffOrOwner } from '../plugins/auth.js';
import { scopedKey } from '../plugins/idempotency.js';
import { IdParams, List } from '../schemas.js';
import { type App, type AppDeps, workflowUiUrl } from '../types.js';

/** A resource: its `object` name, then whatever fields it has (documented in the summary). */
const Open = <T extends string>(object: T) =>
  Type.Object({ object: Type.Literal(object) }, { additionalProperties: true });

export default async function collectionRoutes(app: App, deps: AppDeps) {
  const { sql, temporal } = deps;
  const taskQueue = taskQueueName(DUNNING.taskQueue, temporal.taskQueuePrefix);
  const account = async (id: string) => {
    return found(await findAccount(sql, id), 'account', id);
  };
  const wake = async (a: { id: string; accountNumber: string }, reason: string) =>
    signalCollections(temporal.client, taskQueue, a, reason);

  app.get(
    '/accounts/:id/collections',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['collections'],
        summary: 'Dunning state: the open case, its steps, holds, arrangement, and what happens next',
        params: IdParams,
        response: { 200: Open('collections') },
      },
    },
    async (req) => {
      const a = await account(req.params.id);
      const view = await collectionsView(sql, a.id);
      let live = null;
      if (view.case) {
        live = await temporal.client.workflow
          .getHandle(view.case.workflowId)
          .query(dunningStateQuery)
          .catch(() => null);
      }
      return {
        object: 'collections' as const,
        accountId: a.id,
        serviceState: view.serviceState,
        case: view.case
          ? {
              ...view.case,
              url: req.user?.kind === 'staff' ? workflowUiUrl(temporal, view.case.workflowId) : null,
            }
          : null,
        stage: live?.stage ?? view.case?.stage ?? 'none',
        nextReview: live?.nextReview ?? null,
        blockedBy: live?.blockedBy ?? [],
        holds: view.holds,
        arrangement: view.arrangement,
        events: view.events,
      };
    },
  );

  app.get(
    '/collection-policies/:customerClass',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['collections'],
        summary: 'The collection policy of a customer class (stored values over the defaults)',
        params: Type.Object({ customerClass: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,39}$' }) }),
        response: { 200: Open('collection_policy') },
      },
    },
    async (req) => ({
      object: 'collection_policy' as const,
      customerClass: req.params.customerClass,
      policy: await classCollectionPolicy(sql, req.params.customerClass),
    }),
  );

  app.post(
    '/collections/handoffs',
    {
      config: { access: { staff: STAFF.supervisors } },
      schema: {
        tags: ['collections'],
        summary:
          "Hand every account already past due and without a collection case to collections (after a legacy migration, or data loaded outside bill runs); each account's dunning workflow takes the steps its age implies",
        response: {
          200: Type.Object({ object: Type.Literal('collections_handoff'), accounts: Type.Integer() }),
        },
      },
    },
    async (req) => {
      const accounts = await handOffPastDue(sql, temporal.client, taskQueue, deps.clock.today());
      req.auditResource = { type: 'collections_handoff', id: null, detail: { accounts } };
      return { object: 'collections_handoff' as const, accounts };
    },
  );

  app.put(
    '/collection-policies/:customerClass',
    {
      config: { access: { staff: STAFF.supervisors } },
      schema: {
        tags: ['collections'],
        summary: "Set (part of) a customer class's collection policy; absent keys keep their defaults",
        params: Type.Object({ customerClass: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,39}$' }) }),
        body: Type.Record(Type.String(), Type.Unknown()),
        response: { 200: Open('collection_policy') },
      },
    },
    async (req) => {
      let policy: ReturnType<typeof parseCollectionPolicy>;
      try {
        policy = parseCollectionPolicy(req.body);
      } catch (e) {
        throw new ApiError(400, 'invalid_request_error', 'parameter_invalid', (e as Error).message);
      }
      await setClassCollectionPolicy(sql, req.params.customerClass, req.body, req.user!.id);
      req.auditResource = { type: 'collection_policy', id: req.params.customerClass, detail: req.body };
      return { object: 'collection_policy' as const, customerClass: req.params.customerClass, policy };
    },
  );

  app.post(
    '/accounts/:id/holds',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['collections'],
        summary: 'Place a hold on disconnection (a medical certificate, or a manual hold), for policy days',
        params: IdParams,
        body: Type.Object(
          {
            kind: Type.Union([Type.Literal('medical'), Type.Literal('manual')]),
            days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
            note: Type.String({ minLength: 3, maxLength: 1000 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Open('collection_hold') },
      },
    },
    async (req, reply) => {
      const a = await account(req.params.id);
      const hold = await placeHold(sql, {
        accountId: a.id,
        kind: req.body.kind,
        days: req.body.days,
        note: req.body.note,
        today: req.today,
        by: req.user!.id,
      });
      await wake(a, 'hold_placed');
      req.auditResource = { type: 'collection_hold', id: hold.id };
      reply.code(201);
      return { object: 'collection_hold' as const, ...hold };
    },
  );

  app.post(
    '/holds/:id/:action',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['collections'],
        summary: "Renew a hold (within the policy's renewals) or release it",
        params: Type.Object({
          id: Type.String({ maxLength: 64 }),
          action: Type.Union([Type.Literal('renew'), Type.Literal('release')]),
        }),
        response: { 200: Open('collection_hold') },
      },
    },
    async (req) => {
      const r = await changeHold(sql, { holdId: req.params.id, action: req.params.action, by: req.user!.id });
      if (r.outcome === 'missing') throw notFound('active hold', req.params.id);
      if (r.outcome === 'renewals_exhausted')
        throw new ApiError(
          409,
          'invalid_request_error',
          'hold_renewals_exhausted',
          `a ${r.kind} hold may be renewed ${r.renewals} times under this policy`,
        );
      await wake(r.account, `hold_${req.params.action}`);
      req.auditResource = { type: 'collection_hold', id: r.hold.id, detail: { action: req.params.action } };
      return { object: 'collection_hold' as const, ...r.hold };
    },
  );

  app.get(
    '/accounts/:id/arrangements',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['collections'],
        summary: 'Payment arrangements of the account, newest first, with what has been paid towards them',
        params: IdParams,
        response: { 200: List(Open('payment_arrangement')) },
      },
    },
    async (req) => {
      const rows = await listArrangements(sql, req.params.id);
      return {
        object: 'list' as const,
        has_more: false,
        data: rows.map((r) => ({ object: 'payment_arrangement' as const, ...r })),
      };
    },
  );

  app.post(
    '/accounts/:id/arrangements',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['collections'],
        summary:
          'Set up a payment arrangement for what is past due: staff, or the customer within policy (instalments, no broken one in a year)',
        params: IdParams,
        body: Type.Object(
          {
            installments: Type.Integer({ minimum: 1, maximum: 24 }),
            every_days: Type.Optional(Type.Integer({ minimum: 7, maximum: 62 })),
            first_due: Type.Optional(Type.String({ format: 'date' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Open('payment_arrangement') },
      },
    },
    async (req, reply) => {
      const a = await account(req.params.id);
      const row = await createArrangement(sql, {
        accountId: a.id,
        installments: req.body.installments,
        everyDays: req.body.every_days,
        firstDue: req.body.first_due,
        today: req.today,
        createdBy: req.user!.kind === 'staff' ? req.user!.id : `customer:${req.user!.id}`,
        selfService: req.user!.kind === 'customer',
      });
      try {
        await temporal.client.workflow.start<ArrangementWorkflow>(ARRANGEMENT.type, {
          workflowId: arrangementWorkflowId(row.id),
          taskQueue: taskQueueName(ARRANGEMENT.taskQueue, temporal.taskQueuePrefix),
          args: [{ arrangementId: row.id }],
        });
      } catch (e) {
        if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      }
      await wake(a, 'arrangement_created');
      if (req.user!.kind === 'staff') req.auditResource = { type: 'payment_arrangement', id: row.id };
      reply.code(201);
      return { object: 'payment_arrangement' as const, ...row };
    },
  );

  app.post(
    '/accounts/:id/adjustments',
    {
      config: { access: { staff: STAFF.billing } },
      schema: {
        tags: ['collections'],
        summary: 'Post an adjustment: a credit (negative) or a debit (positive), in cents, with a reason',
        params: IdParams,
        body: Type.Object(
          {
            kind: Type.Union([Type.Literal('credit'), Type.Literal('debit'), Type.Literal('write_off')]),
            amount_cents: Type.Integer({ minimum: 1, maximum: 100_000_000 }),
            reason: Type.String({ minLength: 3, maxLength: 500 }),
            bill_id: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Open('adjustment') },
      },
    },
    async (req, reply) => {
      const a = await account(req.params.id);
      const key = scopedKey(req);
      const sign = req.body.kind === 'debit' ? 1 : -1;
      const adj = await postAccountAdjustment(sql, {
        idempotencyKey: key ? `api:${key}` : `api:${newId('adj')}`,
        accountId: a.id,
        kind: req.body.kind,
        amountCents: sign * req.body.amount_cents,
        reason: req.body.reason,
        billId: req.body.bill_id,
        userId: req.user!.id,
        on: req.today,
      });
      await wake(a, 'adjustment_posted');
      req.auditResource = { type: 'adjustment', id: adj.id, detail: req.body };
      reply.code(201);
      return { object: 'adjustment' as const, ...adj, amountCents: sign * req.body.amount_cents };
    },
  );
}
