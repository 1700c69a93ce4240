// Once per test run: one real PostgreSQL (embedded unless DATABASE_URL), a migrated template database that
// every test file clones, one real Temporal dev server (unless TEMPORAL_ADDRESS), and one workflow bundle.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { connect } from '../../db/client.js';
import { migrate } from '../../db/migrate.js';
import { freePort, startEmbeddedPostgres } from '../../dev/postgres.js';
import { resolveTemporalCli, startDevServer } from '../../dev/temporal.js';
import { createLogger } from '../../lib/logger.js';
import { bundle } from '../../workers/bundle.js';
import { ensureChromium } from './browser.js';
import { recordHistories } from './replay-record.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject) {
  const log = createLogger('test-setup', process.env.LOG_LEVEL ?? 'warn');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cisflow-test-'));
  chmodSync(tmp, 0o755); // as root, PostgreSQL runs as the `postgres` user and must reach its data dir
  const cleanups: (() => Promise<void>)[] = [];
  // the browser tests drive Debian's chromium: installed here, once per run, when a clean machine lacks it
  const noChromium = ensureChromium((m) => log.warn(m));
  if (noChromium) log.warn(`browser tests will fail: ${noChromium}`);

  const [pgUrl, temporal, bundled] = await Promise.all([
    (async () => {
      if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
      const pg = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), log, ephemeral: true });
      cleanups.push(() => pg.stop());
      return pg.url('postgres');
    })(),
    (async () => {
      if (process.env.TEMPORAL_ADDRESS) {
        return {
          address: process.env.TEMPORAL_ADDRESS,
          namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
        };
      }
      const cli = await resolveTemporalCli(log);
      const server = await startDevServer({
        cli: cli.path,
        port: await freePort(),
        namespace: 'default',
        log,
      });
      cleanups.push(() => server.stop());
      return { address: server.address, namespace: 'default' };
    })(),
    bundle(),
  ]);

  // A template database migrated once; each test file clones it in milliseconds.
  const template = `cisflow_tpl_${process.pid}`;
  const admin = connect(pgUrl, { max: 1 });
  await admin.unsafe(`drop database if exists ${template}`);
  await admin.unsafe(`create database ${template}`);
  const url = new URL(pgUrl);
  url.pathname = `/${template}`;
  const tplSql = connect(url.toString(), { max: 1 });
  await migrate(tplSql);
  await tplSql.end();
  cleanups.unshift(async () => {
    await admin.unsafe(`drop database if exists ${template} with (force)`).catch(() => {});
    await admin.end();
  });

  const bundlePath = path.join(tmp, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundled.code);

  project.provide('adminDatabaseUrl', pgUrl);
  project.provide('templateDatabase', template);
  project.provide('temporalAddress', temporal.address);
  project.provide('workflowBundlePath', bundlePath);

  return async () => {
    // RECORD_REPLAY=1: one history per workflow type, from every test file's namespace, into test/replay/
    await recordHistories(temporal.address).then(
      (written) => written.length && log.info({ written }, 'recorded workflow histories'),
      (e) => log.error({ err: e }, 'recording workflow histories failed'),
    );
    for (const c of cleanups) await c().catch((e) => log.error({ err: e }, 'cleanup failed'));
    rmSync(tmp, { recursive: true, force: true });
  };
}
