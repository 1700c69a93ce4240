// A throwaway PostgreSQL 15 cluster from Debian's packages, for the backup test: Debian's pg_dump is 15, and
// pg_dump refuses a newer server than itself, so the dump is taken from a server of its own version (the
// embedded server is 18, whose pg_dump no package here ships). Run as the postgres user when we are root
// (initdb refuses root). Trust auth on 127.0.0.1 only, in a temporary directory removed on stop.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../dev/postgres.js';
import { ensureDebianPackage } from './apt.js';

export const PG15_BIN = '/usr/lib/postgresql/15/bin';
const bin = (tool: string) => path.join(PG15_BIN, tool);

export interface DebianPostgres {
  /** postgres://postgres@127.0.0.1:<port>/<db> */
  url: (db: string) => string;
  /** Runs one of the cluster's tools (pg_dump, pg_restore, createdb…) against it; throws with its stderr. */
  tool: (name: string, args: string[]) => string;
  stop: () => void;
}

export function ensurePostgres15(log?: (m: string) => void): string | null {
  return ensureDebianPackage(
    'postgresql-15',
    () => existsSync(bin('initdb')) && existsSync(bin('pg_dump')),
    'the backup test',
    log,
  );
}

export async function startDebianPostgres(): Promise<DebianPostgres> {
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cisflow-pg15-'));
  chmodSync(dir, 0o777);
  const data = path.join(dir, 'data');
  const asOwner = (cmd: string, args: string[]) =>
    root
      ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' })
      : spawnSync(cmd, args, { encoding: 'utf8' });
  const must = (r: ReturnType<typeof spawnSync>, what: string) => {
    if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${String(r.stderr ?? r.error)}`);
    return String(r.stdout);
  };
  must(
    asOwner(bin('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']),
    'initdb',
  );
  const port = await freePort();
  const opts = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off`;
  const log = path.join(dir, 'server.log');
  must(
    asOwner(bin('pg_ctl'), ['-D', data, '-o', opts, '-l', log, '-w', '-t', '30', 'start']),
    'pg_ctl start',
  );
  const conn = ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'];
  return {
    url: (db) => `postgres://postgres@127.0.0.1:${port}/${db}`,
    tool: (name, args) => must(spawnSync(bin(name), [...conn, ...args], { encoding: 'utf8' }), name),
    stop: () => {
      asOwner(bin('pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
