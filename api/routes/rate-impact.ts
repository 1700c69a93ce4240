// Rate-change impact reports: started on a schedule with a proposed version or tariff, run by the
// rate-impact workflow, read back with their progress and figures. Billing staff and up; audited.
import { createImpactReport, impactReport, type Proposal } from '../../db/rate-impact.js';
import { taskQueueName } from '../../workflows/contracts/names.js';
import {
  RATE_IMPACT,
  type RateImpactProgress,
  type RateImpactWorkflow,
  rateImpactProgressQuery,
  rateImpactWorkflowId,
} from '../../workflows/contracts/rate-impact.js';
import { STAFF } from '../plugins/auth.js';
import { IdParams } from '../schemas.js';
import type { App, AppDeps } from '../types.js';
import { ImpactReport, ImpactReportRequest } from './rate-impact.schema.js';

export default async function rateImpactRoutes(app: App, deps: AppDeps) {
  const { sql, temporal } = deps;
  const billing = { access: { staff: STAFF.billing } };

  /** The stored report, with the running workflow's page counts while it runs. */
  const show = async (id: string): Promise<ImpactReport> => {
    const r = await impactReport(sql, id);
    const workflowId = rateImpactWorkflowId(id);
    const live: RateImpactProgress | null =
      r.status === 'completed'
        ? null
        : await temporal.client.workflow
            .getHandle<RateImpactWorkflow>(workflowId)
            .query(rateImpactProgressQuery)
            .catch(() => null);
    return {
      object: 'rate_impact_report',
      id: r.id,
      rateScheduleId: r.rateScheduleId,
      serviceType: r.serviceType,
      currentVersionId: r.currentVersionId,
      proposedVersionId: r.proposedVersionId,
      months: { from: r.monthsFrom, to: r.monthsTo },
      status: r.status as ImpactReport['status'],
      workflowId,
      progress: {
        accounts: r.accounts,
        rated: r.rated,
        pages: live?.pages ?? null,
        pagesDone: live?.pagesDone ?? null,
        failed: live?.failed ?? 0,
      },
      figures: r.figures,
      createdAt: r.createdAt.toISOString(),
      completedAt: r.completedAt?.toISOString() ?? null,
    };
  };

  app.post(
    '/rate-schedules/:id/impact-reports',
    {
      config: billing,
      schema: {
        tags: ['rates'],
        summary:
          "Start a rate-change impact report: every active account's last 12 billed months on the version in effect and on the proposed one (a version not yet effective, or a tariff)",
        params: IdParams,
        body: ImpactReportRequest,
        response: { 202: ImpactReport },
      },
    },
    async (req, reply) => {
      const { pageSize, ...proposal } = req.body;
      const r = await createImpactReport(sql, req.params.id, proposal as Proposal, {
        today: req.today,
        userId: req.user!.id,
      });
      await temporal.client.workflow.start<RateImpactWorkflow>(RATE_IMPACT.type, {
        workflowId: rateImpactWorkflowId(r.id),
        taskQueue: taskQueueName(RATE_IMPACT.taskQueue, temporal.taskQueuePrefix),
        args: [{ reportId: r.id, policy: pageSize ? { pageSize } : {} }],
      });
      req.auditResource = {
        type: 'rate_impact_report',
        id: r.id,
        detail: { rateScheduleId: req.params.id, proposedVersionId: r.proposedVersionId },
      };
      return reply.status(202).send(await show(r.id));
    },
  );

  app.get(
    '/rate-impact-reports/:id',
    {
      config: billing,
      schema: {
        tags: ['rates'],
        summary:
          'A rate-change impact report: status, progress and, once complete, revenue change by rate class and service and the distribution of annual bill changes',
        params: IdParams,
        response: { 200: ImpactReport },
      },
    },
    async (req) => {
      return show(req.params.id);
    },
  );
}
