// Service requests from the portal and from staff; supervisors and billing admins approve where policy requires.
import { Type } from '@sinclair/typebox';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import { customerExists, findAccount } from '../../db/accounts.js';
import { caseEvents } from '../../db/collections.js';
import {
  accountServiceRequests,
  createServiceRequest,
  getServiceRequest,
  moveDateRules,
  SERVICE_REQUEST_KINDS,
  type ServiceRequestRow,
  serviceRequestAccountId,
  serviceRequestsByStatus,
} from '../../db/service-requests.js';
import { taskQueueName } from '../../workflows/contracts/names.js';
import {
  decideServiceRequestUpdate,
  SERVICE_REQUEST,
  SERVICE_REQUEST_STATUSES,
  type ServiceRequestWorkflow,
} from '../../workflows/contracts/service-request.js';
import { ApiError, found, notFound } from '../errors.js';
import { idParam, STAFF, staffOrOwner } from '../plugins/auth.js';
import { IdParams, List } from '../schemas.js';
import { type App, type AppDeps, workflowUiUrl } from '../types.js';

const Request = Type.Object({ object: Type.Literal('service_request') }, { additionalProperties: true });
const Details = Type.Record(
  Type.String({ maxLength: 40 }),
  Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
  {
    maxProperties: 12,
  },
);

export default async function serviceRequestRoutes(app: App, deps: AppDeps) {
  const { sql, temporal } = deps;
  const taskQueue = taskQueueName(SERVICE_REQUEST.taskQueue, temporal.taskQueuePrefix);
  const show = async (r: ServiceRequestRow, staff: boolean) => {
    const events = await caseEvents(sql, 'service_request', r.id);
    return {
      object: 'service_request' as const,
      ...r,
      url: staff ? workflowUiUrl(temporal, r.workflowId) : null,
      events,
    };
  };
  const isApprover = (u: { kind: string; role: string | null }) =>
    u.kind === 'staff' && (STAFF.billing as readonly string[]).includes(u.role ?? '');
  /** Opens a request in the caller's name and starts its workflow; a staff member's is audited. */
  const start = async (
    req: FastifyRequest,
    r: Omit<Parameters<typeof createServiceRequest>[1], 'today' | 'staff' | 'requestedBy' | 'approver'>,
  ) => {
    const user = req.user!;
    const staff = user.kind === 'staff';
    const row = await createServiceRequest(sql, {
      ...r,
      requestedBy: staff ? user.id : `customer:${user.id}`,
      approver: isApprover(user),
      today: deps.clock.today(),
      staff,
    });
    await temporal.client.workflow.start<ServiceRequestWorkflow>(SERVICE_REQUEST.type, {
      workflowId: row.workflowId,
      taskQueue,
      args: [{ requestId: row.id }],
    });
    const out = await show(row, staff);
    if (staff) req.auditResource = { type: 'service_request', id: out.id };
    return out;
  };

  app.post(
    '/accounts/:id/service-requests',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['service requests'],
        summary:
          'Ask for something on an account: stop_service (details.stop_date), transfer (details.move_date, to_premise_id), mailing_address (line1, city, state, postal_code), reread, seasonal_suspend, seasonal_resume',
        params: IdParams,
        body: Type.Object(
          {
            kind: Type.Union(
              SERVICE_REQUEST_KINDS.filter((k) => k !== 'start_service').map((k) => Type.Literal(k)),
            ),
            details: Type.Optional(Details),
          },
          { additionalProperties: false },
        ),
        response: { 201: Request },
      },
    },
    async (req, reply) => {
      const a = found(await findAccount(sql, req.params.id), 'account', req.params.id);
      const out = await start(req, {
        accountId: req.params.id,
        customerId: a.customerId,
        kind: req.body.kind,
        details: req.body.details ?? {},
      });
      reply.code(201);
      return out;
    },
  );

  app.get(
    '/accounts/:id/move-dates',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['service requests'],
        summary:
          "The dates a stop, start or transfer may take on the account: the utility's today, the earliest start and stop, the latest day",
        params: IdParams,
        response: {
          200: Type.Object({
            today: Type.String(),
            earliestStart: Type.String(),
            earliestStop: Type.String(),
            latest: Type.String(),
          }),
        },
      },
    },
    async (req) => {
      found(await findAccount(sql, req.params.id), 'account', req.params.id);
      return moveDateRules(sql, req.params.id, deps.clock.today());
    },
  );

  app.post(
    '/service-requests/start-service',
    {
      config: { access: { staff: STAFF.any, customer: 'self' } },
      schema: {
        tags: ['service requests'],
        summary:
          'Start service at a premise (details.premise_id, details.start_date): a new account once approved. Customers start it for themselves; staff name the customer.',
        body: Type.Object(
          { customer: Type.Optional(Type.String({ maxLength: 64 })), details: Details },
          { additionalProperties: false },
        ),
        response: { 201: Request },
      },
    },
    async (req, reply) => {
      const customerId = req.user!.kind === 'staff' ? req.body.customer : req.user!.customerId;
      if (!customerId)
        throw new ApiError(
          400,
          'invalid_request_error',
          'parameter_missing',
          'name the customer',
          'customer',
        );
      if (!(await customerExists(sql, customerId))) throw notFound('customer', customerId, 'customer');
      const out = await start(req, {
        accountId: null,
        customerId,
        kind: 'start_service',
        details: req.body.details,
      });
      reply.code(201);
      return out;
    },
  );

  app.get(
    '/service-requests/:id',
    {
      config: { access: staffOrOwner((req) => serviceRequestAccountId(sql, idParam(req))) },
      schema: {
        tags: ['service requests'],
        summary: 'A service request with its status and trail',
        params: IdParams,
        response: { 200: Request },
      },
    },
    async (req) => {
      const r = found(await getServiceRequest(sql, req.params.id), 'service request', req.params.id);
      return show(r, req.user!.kind === 'staff');
    },
  );

  app.get(
    '/accounts/:id/service-requests',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['service requests'],
        summary: "The account's service requests, newest first",
        params: IdParams,
        response: { 200: List(Request) },
      },
    },
    async (req) => {
      const rows = await accountServiceRequests(sql, req.params.id);
      return {
        object: 'list' as const,
        has_more: false,
        data: rows.map((r) => ({ object: 'service_request' as const, ...r })),
      };
    },
  );

  app.get(
    '/service-requests',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['service requests'],
        summary: 'Service requests by status (awaiting_approval is the approval queue), oldest first',
        querystring: Type.Object({
          status: Type.Optional(Type.Union(SERVICE_REQUEST_STATUSES.map((s) => Type.Literal(s)))),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
        }),
        response: { 200: List(Request) },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      const rows = await serviceRequestsByStatus(sql, req.query.status ?? 'awaiting_approval', limit);
      return {
        object: 'list' as const,
        has_more: rows.length > limit,
        data: rows.slice(0, limit).map((r) => ({ object: 'service_request' as const, ...r })),
      };
    },
  );

  app.post(
    '/service-requests/:id/:decision',
    {
      config: { access: { staff: STAFF.billing } },
      schema: {
        tags: ['service requests'],
        summary: 'Approve or reject a request waiting for approval (a rejection needs a note: the reason)',
        params: Type.Object({
          id: Type.String({ maxLength: 64 }),
          decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
        }),
        body: Type.Optional(
          Type.Object(
            { note: Type.Optional(Type.String({ maxLength: 1000 })) },
            { additionalProperties: false },
          ),
        ),
        response: { 200: Request },
      },
    },
    async (req) => {
      const r = found(await getServiceRequest(sql, req.params.id), 'service request', req.params.id);
      const notWaiting = () =>
        new ApiError(409, 'invalid_request_error', 'not_awaiting_approval', `this request is ${r.status}`);
      if (r.status !== 'awaiting_approval') throw notWaiting();
      // a rejection is told to the customer: it says why
      if (req.params.decision === 'reject' && !req.body?.note?.trim())
        throw new ApiError(
          400,
          'invalid_request_error',
          'parameter_missing',
          'a rejection needs a note saying why',
          'note',
        );
      try {
        await temporal.client.workflow.getHandle(r.workflowId).executeUpdate(decideServiceRequestUpdate, {
          args: [{ approve: req.params.decision === 'approve', by: req.user!.id, note: req.body?.note }],
        });
      } catch (err) {
        // decided by someone else a moment ago: the workflow refuses, or has already finished
        if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError)
          throw notWaiting();
        throw err;
      }
      req.auditResource = {
        type: 'service_request',
        id: r.id,
        detail: { decision: req.params.decision, note: req.body?.note ?? null },
      };
      return show((await getServiceRequest(sql, r.id))!, true);
    },
  );
}
