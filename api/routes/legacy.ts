// Legacy CIS migration over HTTP (the CLI is `cisflow migrate`): admins check or import the files of
// docs/legacy-migration.md, supervisors read a run's report, and an account's pre-cutover bills and payments
// are shown as history.
import { Type } from '@sinclair/typebox';
import { runMigration } from '../../db/legacy/migrate.js';
import { getMigration, legacyHistory, type MigrationRun } from '../../db/legacy/records.js';
import { utilityTimeZone } from '../../db/tenure.js';
import { isTimeZone } from '../../domain/import/local-time.js';
import { badTimeZone, found } from '../errors.js';
import { STAFF, staffOrOwner } from '../plugins/auth.js';
import { IdParams } from '../schemas.js';
import type { App, AppDeps } from '../types.js';

/** A migration run as the API shows it (the files are posted as JSON text). */
const Migration = Type.Object({
  id: Type.String(),
  object: Type.Literal('legacy_migration'),
  dryRun: Type.Boolean(),
  status: Type.String(),
  cutoverOn: Type.Union([Type.String(), Type.Null()]),
  report: Type.Record(Type.String(), Type.Unknown(), {
    description: 'files, issues (file, row, column, code, message), created/existing counts, reconciliation',
  }),
  createdAt: Type.String(),
});
const migrationView = (r: MigrationRun) => ({
  id: r.id,
  object: 'legacy_migration' as const,
  dryRun: r.dryRun,
  status: r.status,
  cutoverOn: r.cutoverOn,
  report: r.report ?? {},
  createdAt: new Date(r.createdAt).toISOString(),
});

export default async function legacyRoutes(app: App, deps: AppDeps) {
  const { sql } = deps;
  const timeZone = utilityTimeZone();

  app.post(
    '/legacy-migrations',
    {
      config: { access: { staff: STAFF.admin } },
      bodyLimit: 200 * 1024 * 1024,
      schema: {
        tags: ['migration'],
        summary:
          'Check (dryRun) or import a legacy CIS migration: the CSV files of docs/legacy-migration.md, by file name',
        body: Type.Object(
          {
            dryRun: Type.Boolean(),
            files: Type.Record(Type.String({ pattern: '^[a-z_]+\\.csv$' }), Type.String()),
            timeZone: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Migration, 201: Migration, 422: Migration },
      },
    },
    async (req, reply) => {
      const tz = req.body.timeZone ?? timeZone;
      if (!isTimeZone(tz)) throw badTimeZone();
      const r = await runMigration(sql, req.body.files, { dryRun: req.body.dryRun, timeZone: tz });
      req.auditResource = {
        type: 'legacy_migration',
        id: r.id,
        detail: {
          dryRun: r.dryRun,
          status: r.status,
          issues: r.issues.length,
          reconciliation: r.reconciliation?.status,
        },
      };
      const row = await getMigration(sql, r.id);
      const code =
        r.status === 'invalid' || r.status === 'failed' ? 422 : r.status === 'imported' ? 201 : 200;
      return reply.status(code).send(migrationView(row!));
    },
  );

  app.get(
    '/accounts/:id/legacy-history',
    {
      config: { access: staffOrOwner() },
      schema: {
        tags: ['migration'],
        summary:
          'Bills and payments from the legacy system before cutover: history only (their effect is in the opening balance)',
        params: IdParams,
        response: {
          200: Type.Object({
            object: Type.Literal('legacy_history'),
            accountId: Type.String(),
            openingBalance: Type.Union([
              Type.Object({
                asOf: Type.String(),
                currentCents: Type.Integer(),
                days31to60Cents: Type.Integer(),
                days61to90Cents: Type.Integer(),
                over90Cents: Type.Integer(),
              }),
              Type.Null(),
            ]),
            bills: Type.Array(
              Type.Object({
                legacyId: Type.String(),
                period: Type.String(),
                billDate: Type.String(),
                dueDate: Type.Union([Type.String(), Type.Null()]),
                amountCents: Type.Integer(),
              }),
            ),
            payments: Type.Array(
              Type.Object({
                legacyId: Type.String(),
                receivedOn: Type.String(),
                amountCents: Type.Integer(),
                method: Type.String(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const h = found(await legacyHistory(sql, req.params.id), 'account', req.params.id);
      return { object: 'legacy_history' as const, accountId: req.params.id, ...h };
    },
  );

  app.get(
    '/legacy-migrations/:id',
    {
      config: { access: { staff: STAFF.supervisors } },
      schema: {
        tags: ['migration'],
        summary: 'A migration run and its report',
        params: IdParams,
        response: { 200: Migration },
      },
    },
    async (req) => {
      const row = found(await getMigration(sql, req.params.id), 'legacy migration', req.params.id);
      return migrationView(row) as never;
    },
  );
}
