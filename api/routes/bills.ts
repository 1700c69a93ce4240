// Bills: staff start an account's billing-cycle workflow; staff and the account's customers read bills.
import { Type } from '@sinclair/typebox';
import { WorkflowExecutionAlreadyStartedError, type WorkflowHandle } from '@temporalio/client';
import { billPdf } from '../../activities/documents.js';
import { getAccount } from '../../db/accounts.js';
import { billExplanation } from '../../db/bill-explanation.js';
import { billAccountId, billDetail } from '../../db/billing.js';
import { printBatchItems } from '../../db/print-batches.js';
import { workflowSubjects } from '../../db/timeline.js';
import { centsToDecimal } from '../../domain/decimal.js';
import {
  BILLING_CYCLE,
  type BillingCycleResult,
  type BillingCycleState,
  type BillingCycleWorkflow,
  billingCycleWorkflowId,
  billStateQuery,
  DEFAULT_DUE_DAYS,
  WAITING_STATUSES,
} from '../../workflows/contracts/billing-cycle.js';
import { taskQueueName } from '../../workflows/contracts/names.js';
import { AccountNumber, BillingCycle, BillStatus } from '../../workflows/contracts/search-attributes.js';
import { ApiError, found } from '../errors.js';
import { idParam, STAFF, staffOrOwner } from '../plugins/auth.js';
import { Bill, IdParams, List, Period } from '../schemas.js';
import { type App, type AppDeps, workflowUiUrl } from '../types.js';
import { AccountWorkflow, BillExplanation } from './bills.schema.js';

/** Waits until the bill is issued or cancelled, or is waiting on staff (held): whichever comes first. */
async function settle(
  handle: WorkflowHandle<BillingCycleWorkflow>,
  timeoutMs: number,
): Promise<{ kind: 'done'; result: BillingCycleResult } | { kind: 'held'; state: BillingCycleState }> {
  const deadline = Date.now() + timeoutMs;
  const result = handle.result().then((r) => ({ kind: 'done' as const, result: r }));
  for (;;) {
    const tick = new Promise<null>((r) => setTimeout(() => r(null), 200));
    const done = await Promise.race([result, tick]);
    if (done) return done;
    const state = await handle.query(billStateQuery).catch(() => null);
    if (state && WAITING_STATUSES.includes(state.status)) return { kind: 'held', state };
    if (Date.now() > deadline) {
      throw new ApiError(
        504,
        'api_error',
        'workflow_pending',
        `Billing is still running; watch workflow ${handle.workflowId}`,
      );
    }
  }
}

const Held = Type.Object({
  object: Type.Literal('bill_hold'),
  workflowId: Type.String(),
  workflowUrl: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  reasons: Type.Array(
    Type.Object({ serviceAgreementId: Type.String(), code: Type.String(), message: Type.String() }),
  ),
});

export default async function billRoutes(app: App, deps: AppDeps) {
  const { sql, temporal } = deps;

  app.post(
    '/accounts/:id/bills',
    {
      config: { access: { staff: STAFF.billing } },
      schema: {
        tags: ['bills'],
        summary:
          'Bill an account for a period by running its billing-cycle workflow (idempotent per account and period)',
        params: IdParams,
        body: Type.Object(
          { period: Period, dueDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 90 })) },
          { additionalProperties: false },
        ),
        response: { 201: Bill, 200: Bill, 409: Held },
      },
    },
    async (req, reply) => {
      const acct = found(await getAccount(sql, req.params.id), 'account', req.params.id);
      const workflowId = billingCycleWorkflowId(acct.accountNumber, req.body.period);
      let handle: WorkflowHandle<BillingCycleWorkflow>;
      let startedHere = true;
      try {
        handle = await temporal.client.workflow.start<BillingCycleWorkflow>(BILLING_CYCLE.type, {
          workflowId,
          taskQueue: taskQueueName(BILLING_CYCLE.taskQueue, temporal.taskQueuePrefix),
          args: [
            {
              accountId: req.params.id,
              period: req.body.period,
              policy: { dueDays: req.body.dueDays ?? DEFAULT_DUE_DAYS },
            },
          ],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: AccountNumber, value: acct.accountNumber },
            { key: BillingCycle, value: acct.billingCycle },
            { key: BillStatus, value: 'started' },
          ],
        });
      } catch (e) {
        // Already billed (or tried) for this period: report that run's outcome rather than bill again.
        if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
        handle = temporal.client.workflow.getHandle<BillingCycleWorkflow>(workflowId);
        startedHere = false;
      }
      req.auditResource = { type: 'bill', id: workflowId };
      const outcome = await settle(handle, 30_000);
      if (outcome.kind === 'held') {
        return reply.status(409).send({
          object: 'bill_hold',
          workflowId,
          workflowUrl: workflowUiUrl(temporal, workflowId),
          status: outcome.state.status,
          reasons: outcome.state.reasons,
        });
      }
      if (outcome.result.status === 'cancelled') {
        throw new ApiError(
          409,
          'invalid_request_error',
          'bill_cancelled',
          `The ${req.body.period} bill was cancelled by staff`,
          'period',
        );
      }
      if (outcome.result.status === 'nothing_to_bill') {
        throw new ApiError(
          409,
          'invalid_request_error',
          'nothing_to_bill',
          `No service agreement of this account was in service in ${req.body.period}`,
          'period',
        );
      }
      const bill = await billDetail(sql, outcome.result.billId);
      return reply
        .status(startedHere && outcome.result.created ? 201 : 200)
        .send({ ...bill, object: 'bill' } as never);
    },
  );

  const billAccount = (id: string) => billAccountId(sql, id);

  app.get(
    '/bills/:id',
    {
      config: { access: staffOrOwner((req) => billAccount(idParam(req))) },
      schema: {
        tags: ['bills'],
        summary: 'A bill with its segments and explainable lines',
        params: IdParams,
        response: { 200: Bill },
      },
    },
    async (req) => {
      const bill = found(await billDetail(sql, req.params.id), 'bill', req.params.id);
      return { ...bill, object: 'bill' } as never;
    },
  );

  app.get(
    '/bills/:id/explanation',
    {
      config: { access: staffOrOwner((req) => billAccount(idParam(req))) },
      schema: {
        tags: ['bills'],
        summary:
          'Why this bill differs: each line in plain terms, and the change against the last bill and the same month last year split into drivers (days, usage, tiers, rates, other) that add up to the cent',
        params: IdParams,
        response: { 200: BillExplanation },
      },
    },
    async (req) => {
      const e = found(await billExplanation(sql, req.params.id), 'bill', req.params.id);
      return { object: 'bill_explanation' as const, ...e };
    },
  );

  app.get(
    '/bills/:id/document',
    {
      config: { access: staffOrOwner((req) => billAccount(idParam(req))) },
      schema: {
        tags: ['bills'],
        summary:
          'The bill as a PDF: reads, 13-month usage chart, charges with their calculation, remittance stub',
        params: IdParams,
        produces: ['application/pdf'],
        response: { 200: Type.Unsafe({ type: 'string', format: 'binary' }) },
      },
    },
    async (req, reply) => {
      const pdf = found(await billPdf(sql, req.params.id, deps.billPrint), 'bill', req.params.id);
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="bill-${req.params.id}.pdf"`)
        .header('cache-control', 'private, max-age=3600')
        .send(pdf);
    },
  );

  app.get(
    '/print-batches/:cycle/:period',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['bills'],
        summary: "The print vendor's file for a cycle and period: one row per mailed bill (CSV)",
        params: Type.Object({ cycle: Type.String({ pattern: '^\\d{2}$' }), period: Period }),
        produces: ['text/csv'],
        response: { 200: Type.String() },
      },
    },
    async (req, reply) => {
      const rows = await printBatchItems(sql, req.params.cycle, req.params.period);
      const q = (v: string | number) => `"${String(v).replace(/"/g, '""')}"`;
      const csv = [
        'bill_id,account_number,name,address,city,state,postal_code,amount_due,due_date,document_url',
        ...rows.map((r) =>
          [
            r.billId,
            r.accountNumber,
            r.name,
            r.line1,
            r.city,
            r.state,
            r.postalCode,
            centsToDecimal(r.totalCents),
            r.dueDate,
            `${deps.publicUrl}/bills/${r.billId}/document`,
          ]
            .map(q)
            .join(','),
        ),
      ].join('\n');
      return reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="print-${req.params.cycle}-${req.params.period}.csv"`,
        )
        .send(`${csv}\n`);
    },
  );

  app.get(
    '/accounts/:id/workflows',
    {
      config: { access: { staff: STAFF.any } },
      schema: {
        tags: ['operations'],
        summary: "The account's workflows with their status and a link into the Temporal UI",
        params: IdParams,
        response: {
          200: List(AccountWorkflow),
        },
      },
    },
    async (req) => {
      const acct = found(await getAccount(sql, req.params.id), 'account', req.params.id);
      const about = new Map(
        (await workflowSubjects(sql, acct.id, deps.clock.timeZone)).map(({ workflowId, ...s }) => [
          workflowId,
          s,
        ]),
      );
      const data = [];
      for await (const w of temporal.client.workflow.list({
        query: `AccountNumber = '${acct.accountNumber.replace(/['\\]/g, '')}'`,
        pageSize: 50,
      })) {
        data.push({
          workflowId: w.workflowId,
          type: w.type,
          status: w.status.name,
          billStatus: (w.typedSearchAttributes.get(BillStatus) as string | undefined) ?? null,
          startTime: w.startTime.toISOString(),
          url: workflowUiUrl(temporal, w.workflowId),
          about: about.get(w.workflowId) ?? null,
        });
        if (data.length >= 50) break;
      }
      return { object: 'list' as const, data, has_more: data.length >= 50 };
    },
  );
}
