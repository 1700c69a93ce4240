// `cisflow import-reads` and `cisflow migrate`: meter read files and legacy CIS migrations from the command
// line, against the database in DATABASE_URL (npm start prints it; the API and worker use the same one).
//   cisflow import-reads [--format F] [--partial] [--time-zone TZ] [--meter SERIAL] [--json] FILE
//   cisflow migrate [--dry-run] [--json] [--time-zone TZ] DIR
// Progress goes to stderr; the report to stdout. Exit 0: imported / reconciled (or a clean dry run);
// 1: rows rejected, issues found, or reconciliation differences; 2: usage or configuration problem.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { connect } from '../db/client.js';
import { formatReport, runMigration } from '../db/legacy/migrate.js';
import { type ImportReport, importMeterReads } from '../db/meter-import.js';
import { migrate } from '../db/migrate.js';
import { isTimeZone } from '../domain/import/local-time.js';
import { detectFormat, READ_FORMATS, type ReadFormat } from '../domain/import/meter-reads.js';

export const DATA_USAGE = [
  'usage: cisflow import-reads [--format generic|aclara|neptune|sensus|badger|greenbutton] [--partial] [--time-zone TZ] [--meter SERIAL] [--json] FILE',
  '       cisflow migrate [--dry-run] [--json] [--time-zone TZ] DIR',
  '       (DATABASE_URL names the database; UTILITY_TIME_ZONE the zone for local times, default UTC)',
].join('\n');

export const DATA_COMMANDS = ['import-reads', 'migrate'];

export async function runDataCommand(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  progress: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<{ code: number; out: string }> {
  const cmd = argv[0];
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv.slice(1),
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        partial: { type: 'boolean' },
        'time-zone': { type: 'string' },
        meter: { type: 'string' },
        json: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
      },
    }));
  } catch (e) {
    return { code: 2, out: `${(e as Error).message}\n${DATA_USAGE}` };
  }
  const target = positionals[0];
  if (!target || positionals.length > 1) return { code: 2, out: DATA_USAGE };
  const tz = (values['time-zone'] as string | undefined) ?? env.UTILITY_TIME_ZONE?.trim() ?? 'UTC';
  if (!isTimeZone(tz))
    return { code: 2, out: `cisflow: ${tz} is not an IANA time zone (e.g. America/Chicago)` };
  const url = env.DATABASE_URL;
  if (!url)
    return { code: 2, out: 'cisflow: set DATABASE_URL to the cisflow database (npm start prints it)' };
  if (!existsSync(target)) return { code: 2, out: `cisflow: no such file or folder: ${target}` };

  const sql = connect(url, { max: 4, appName: `cisflow-cli-${cmd}` });
  try {
    await migrate(sql);
    if (cmd === 'import-reads') {
      if (!statSync(target).isFile()) return { code: 2, out: `cisflow: ${target} is not a file` };
      const text = readFileSync(target, 'utf8');
      const format =
        (values.format as ReadFormat | undefined) ??
        (target.toLowerCase().endsWith('.xml') ? 'greenbutton' : detectFormat(text));
      if (!format || !READ_FORMATS.includes(format))
        return { code: 2, out: `cisflow: name the format with --format (${READ_FORMATS.join(', ')})` };
      let last = 0;
      const r = await importMeterReads(sql, {
        source: 'cli',
        format,
        text,
        fileName: path.basename(target),
        partial: values.partial === true,
        timeZone: tz,
        meter: values.meter as string | undefined,
        onProgress: (p) => {
          const now = Date.now();
          if (now - last < 1000 && p.phase !== 'done') return;
          last = now;
          progress(
            `${p.phase}: ${p.processed.toLocaleString('en-US')} of ${p.total.toLocaleString('en-US')} rows`,
          );
        },
      });
      return {
        code: r.status === 'completed' && r.counts.rejected === 0 ? 0 : 1,
        out: values.json ? JSON.stringify(r, null, 2) : formatImport(r),
      };
    }
    if (!statSync(target).isDirectory()) return { code: 2, out: `cisflow: ${target} is not a folder` };
    const files = Object.fromEntries(
      readdirSync(target)
        .filter((f) => f.toLowerCase().endsWith('.csv'))
        .map((f) => [f, readFileSync(path.join(target, f), 'utf8')]),
    );
    progress(
      `${values['dry-run'] ? 'checking' : 'migrating'} ${Object.keys(files).length} files from ${target}`,
    );
    const r = await runMigration(sql, files, { dryRun: values['dry-run'] === true, timeZone: tz });
    const ok =
      r.status === 'validated' || (r.status === 'imported' && r.reconciliation?.status === 'reconciled');
    return { code: ok ? 0 : 1, out: values.json ? JSON.stringify(r, null, 2) : formatReport(r) };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function formatImport(r: ImportReport): string {
  const c = r.counts;
  const lines = [
    `import ${r.id || '(not stored)'} ${r.fileName ?? ''} [${r.format}]: ${r.status}${r.replayed ? ' (this file was imported before; nothing new)' : ''}`,
    `  rows ${c.total}: accepted ${c.accepted}, duplicate ${c.duplicate}, rejected ${c.rejected}`,
  ];
  if (r.message) lines.push(`  ${r.message}`);
  for (const row of r.rows.filter((x) => x.status !== 'accepted').slice(0, 200)) {
    lines.push(
      row.status === 'rejected'
        ? `  row ${row.row}${row.column ? ` [${row.column}]` : ''}: rejected: ${row.reason}`
        : `  row ${row.row}: duplicate (${row.meter} at ${row.readAt})`,
    );
  }
  return lines.join('\n');
}
