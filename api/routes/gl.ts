// General ledger export: the chart-of-accounts mapping, daily journals, export batches (CSV or QuickBooks
// IIF) and the month-end AR roll-forward. Billing admins and admins only; every change is audited.
import { Type } from '@sinclair/typebox';
import {
  arRollForwardReport,
  type ExportBatch,
  exportBatchFile,
  exportGl,
  getGlMapping,
  glJournals,
  listExportBatches,
  postedLedgerAccounts,
  putGlMapping,
} from '../../db/gl-export.js';
import { STAFF } from '../plugins/auth.js';
import { IdParams } from '../schemas.js';
import type { App, AppDeps } from '../types.js';
import {
  ArRollForward,
  CreateGlExport,
  GlExportBatch,
  GlExportCreated,
  GlJournals,
  GlMapping,
  JournalQuery,
  PutGlMapping,
} from './gl.schema.js';

const GL = { access: { staff: ['billing_admin', 'admin'] as const } };

const batchView = (b: ExportBatch) => ({
  object: 'gl.export_batch' as const,
  id: b.id,
  from: b.fromDate,
  to: b.toDate,
  format: b.format,
  reexport: b.reexport,
  checksum: b.checksum,
  lineCount: b.lineCount,
  debitCents: b.debitCents,
  exportedBy: b.exportedBy,
  exportedAt: b.exportedAt.toISOString(),
});

export default async function glRoutes(app: App, deps: AppDeps) {
  const { sql, clock } = deps;
  const mappingView = async () => ({
    object: 'gl.mapping' as const,
    mappings: await getGlMapping(sql),
    postedLedgerAccounts: await postedLedgerAccounts(sql),
  });

  app.get(
    '/gl/mapping',
    {
      config: GL,
      schema: {
        tags: ['gl'],
        summary: "cisflow's ledger accounts mapped to the utility's chart of accounts",
        response: { 200: GlMapping },
      },
    },
    mappingView,
  );

  app.put(
    '/gl/mapping',
    {
      config: GL,
      schema: {
        tags: ['gl'],
        summary:
          'Replaces the mapping; every ledger account with postings must map (400 gl_account_unmapped names it)',
        body: PutGlMapping,
        response: { 200: GlMapping },
      },
    },
    async (req) => {
      const rows = await putGlMapping(sql, req.body.mappings, { userId: req.user!.id, now: clock.now() });
      req.auditResource = { type: 'gl_mapping', id: null, detail: { mappings: rows.length } };
      return mappingView();
    },
  );

  app.get(
    '/gl/journals',
    {
      config: GL,
      schema: {
        tags: ['gl'],
        summary: 'Daily journal summaries for closed days from..to, mapped; each day balances',
        querystring: JournalQuery,
        response: { 200: GlJournals },
      },
    },
    async (req) => {
      const { from, to } = req.query;
      const days = await glJournals(sql, { from, to, today: clock.today() });
      return { object: 'gl.journals' as const, from, to, days };
    },
  );

  app.post(
    '/gl/exports',
    {
      config: GL,
      schema: {
        tags: ['gl'],
        summary:
          'Exports closed days as CSV or QuickBooks IIF and records the batch; a day exported before is refused (409) unless reexport is true',
        body: CreateGlExport,
        response: { 201: GlExportCreated },
      },
    },
    async (req, reply) => {
      const { batch, content } = await exportGl(sql, {
        from: req.body.from,
        to: req.body.to,
        format: req.body.format,
        reexport: req.body.reexport ?? false,
        userId: req.user!.id,
        now: clock.now(),
        today: clock.today(),
      });
      req.auditResource = {
        type: 'gl_export_batch',
        id: batch.id,
        detail: {
          from: batch.fromDate,
          to: batch.toDate,
          reexport: batch.reexport,
          checksum: batch.checksum,
        },
      };
      return reply.status(201).send({ ...batchView(batch), content });
    },
  );

  app.get(
    '/gl/exports',
    {
      config: GL,
      schema: {
        tags: ['gl'],
        summary: 'Export batches, newest first',
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ object: Type.Literal('list'), data: Type.Array(GlExportBatch) }) },
      },
    },
    async (req) => ({
      object: 'list' as const,
      data: (await listExportBatches(sql, req.query.limit ?? 50)).map(batchView),
    }),
  );

  app.get(
    '/gl/exports/:id/file',
    {
      config: GL,
      schema: { tags: ['gl'], summary: 'The file an export batch handed over', params: IdParams },
    },
    async (req, reply) => {
      const f = await exportBatchFile(sql, req.params.id);
      return reply
        .type(f.format === 'csv' ? 'text/csv; charset=utf-8' : 'text/plain; charset=utf-8')
        .header('content-disposition', `attachment; filename="gl-${f.fromDate}-${f.toDate}.${f.format}"`)
        .send(f.content);
    },
  );

  app.get(
    '/reports/ar-roll-forward',
    {
      config: { access: { staff: STAFF.billing } },
      schema: {
        tags: ['reports'],
        summary:
          "A month's AR roll-forward: opening + billed − paid ± adjustments − write-offs (± deposits, + refunds) = closing, against the ledger",
        querystring: Type.Object(
          { month: Type.String({ pattern: '^\\d{4}-\\d{2}$', description: 'e.g. 2026-11' }) },
          { additionalProperties: false },
        ),
        response: { 200: ArRollForward },
      },
    },
    async (req) => ({
      object: 'report.ar_roll_forward' as const,
      ...(await arRollForwardReport(sql, req.query.month)),
    }),
  );
}
