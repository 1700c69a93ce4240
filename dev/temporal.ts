// Finds, downloads or builds the Temporal CLI and runs its dev server. Used by `npm start` and the test setup.
// Resolution order: TEMPORAL_ADDRESS (caller checks) > TEMPORAL_CLI_PATH > `temporal` on PATH > the cache
// > the official release archive, checksum-verified (TEMPORAL_CLI_DOWNLOAD_URL) > `go install` of a pinned
// release > a clear error.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { Logger } from '../lib/logger.js';
import { SEARCH_ATTRIBUTES } from '../workflows/contracts/search-attributes.js';
import { DEFAULT_DOWNLOAD_URL, DownloadRefused, downloadRelease } from './temporal-download.js';

/** Newest releases whose go.mod has no `replace` directives, so `go install …@version` works. */
export const TEMPORAL_CLI_VERSIONS = ['1.5.1', '1.4.1', '1.3.0'] as const;

export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'cisflow');
}

export function cachedBinary(version: string): string {
  return path.join(cacheRoot(), 'temporal-cli', `v${version}`, 'temporal');
}

function onPath(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p ? p : undefined;
}

export interface ResolvedCli {
  path: string;
  from: 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'downloaded' | 'built';
  version?: string;
}

/** What resolving may use; tests replace the outside world (PATH, Go) and point the download at a local server. */
export interface ResolveOptions {
  cliPath?: string;
  downloadUrl?: string;
  lookup?: (cmd: string) => string | undefined;
  build?: (go: string, version: string, log: Logger) => Promise<string | undefined>;
}

export async function resolveTemporalCli(
  log: Logger,
  o: ResolveOptions | string | undefined = {},
): Promise<ResolvedCli> {
  const opts = typeof o === 'string' || o === undefined ? { cliPath: o } : o;
  const cliPath = opts.cliPath ?? process.env.TEMPORAL_CLI_PATH;
  const lookup = opts.lookup ?? onPath;
  if (cliPath) {
    if (!existsSync(cliPath)) throw new Error(`TEMPORAL_CLI_PATH points to ${cliPath}, which does not exist`);
    return { path: cliPath, from: 'TEMPORAL_CLI_PATH' };
  }
  const fromPath = lookup('temporal');
  if (fromPath) return { path: fromPath, from: 'PATH' };
  for (const v of TEMPORAL_CLI_VERSIONS) {
    if (existsSync(cachedBinary(v))) return { path: cachedBinary(v), from: 'cache', version: v };
  }
  // the pinned release's archive: seconds where the internet is there
  const version = TEMPORAL_CLI_VERSIONS[0];
  const baseUrl = opts.downloadUrl ?? process.env.TEMPORAL_CLI_DOWNLOAD_URL ?? DEFAULT_DOWNLOAD_URL;
  let downloadProblem: string;
  try {
    const p = await downloadRelease(version, cachedBinary(version), { baseUrl, log });
    return { path: p, from: 'downloaded', version };
  } catch (e) {
    downloadProblem = (e as Error).message;
    if (e instanceof DownloadRefused)
      log.error({ err: downloadProblem }, 'The Temporal CLI download was refused');
    else log.warn({ err: downloadProblem }, 'The Temporal CLI release could not be downloaded; trying Go');
  }
  const go = lookup('go');
  if (!go) {
    throw new Error(
      [
        `The Temporal CLI was not found, its release could not be downloaded (${downloadProblem}), and Go is not installed to build it.`,
        'Do one of:',
        '  - connect to the internet (or set TEMPORAL_CLI_DOWNLOAD_URL to a mirror of the release) and run this again;',
        '  - install Go (https://go.dev/dl) and run this again: cisflow builds the CLI once and caches it;',
        '  - install the Temporal CLI (https://docs.temporal.io/cli#install) and put `temporal` on PATH;',
        '  - set TEMPORAL_CLI_PATH to a temporal binary;',
        '  - set TEMPORAL_ADDRESS to use an existing Temporal cluster.',
      ].join('\n'),
    );
  }
  const build = opts.build ?? goInstall;
  const failures: string[] = [];
  for (const v of TEMPORAL_CLI_VERSIONS) {
    const built = await build(go, v, log);
    if (built) return { path: built, from: 'built', version: v };
    failures.push(v);
  }
  throw new Error(
    `Building the Temporal CLI with Go failed for versions ${failures.join(', ')}; see the output above. ` +
      'Install the Temporal CLI yourself and set TEMPORAL_CLI_PATH.',
  );
}

async function goInstall(go: string, version: string, log: Logger): Promise<string | undefined> {
  const target = cachedBinary(version);
  const gobin = path.dirname(target);
  mkdirSync(gobin, { recursive: true });
  log.warn(
    { version, cache: gobin },
    `Building the Temporal CLI v${version} from Go modules: once per machine, about 2-7 minutes on 2 cores.`,
  );
  const started = Date.now();
  const child = spawn(
    go,
    [
      'install',
      '-ldflags',
      `-X github.com/temporalio/cli/temporalcli.Version=${version}`,
      `github.com/temporalio/cli/cmd/temporal@v${version}`,
    ],
    { env: { ...process.env, CGO_ENABLED: '0', GOBIN: gobin }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let tail = '';
  child.stderr?.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000);
  });
  const ticker = setInterval(() => {
    log.info(`  …still building the Temporal CLI (${Math.round((Date.now() - started) / 1000)}s)`);
  }, 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(ticker);
  if (code === 0 && existsSync(target)) {
    log.info(
      { seconds: Math.round((Date.now() - started) / 1000), path: target },
      `Temporal CLI built and cached in ${Math.round((Date.now() - started) / 1000)} s`,
    );
    return target;
  }
  log.error({ version, code, output: tail }, 'go install of the Temporal CLI failed');
  return undefined;
}

export interface DevServerOptions {
  cli: string;
  port: number;
  uiPort?: number; // omitted: headless
  dbFile?: string; // omitted: in memory
  namespace: string;
  log: Logger;
  logFile?: string;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startDevServer(o: DevServerOptions): Promise<DevServer> {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(o.port),
    '--namespace',
    o.namespace,
  ];
  args.push('--log-level', 'warn', '--log-format', 'json');
  if (o.dbFile) {
    mkdirSync(path.dirname(o.dbFile), { recursive: true });
    args.push('--db-filename', o.dbFile, '--sqlite-pragma', 'journal_mode=WAL');
  }
  if (o.uiPort) args.push('--ui-port', String(o.uiPort));
  else args.push('--headless');
  for (const sa of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${sa}=Keyword`);

  const child = spawn(o.cli, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8000);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const address = `127.0.0.1:${o.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`temporal server start-dev exited with ${child.exitCode}:\n${stderr}`);
    }
    if (await ping(address, o.namespace)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Temporal dev server did not become ready on ${address} within 60s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    address,
    uiUrl: o.uiPort ? `http://127.0.0.1:${o.uiPort}` : undefined,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

function portOpen(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const s = net.connect({ host, port: Number(port) });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** True once the frontend answers and the namespace exists. */
export async function ping(address: string, namespace: string): Promise<boolean> {
  // A gRPC channel to a closed port lingers and retries; probe TCP first.
  if (!(await portOpen(address))) return false;
  let conn: Connection | undefined;
  try {
    conn = await Connection.connect({ address, connectTimeout: 1000 });
    await conn.workflowService.describeNamespace({ namespace });
    return true;
  } catch {
    return false;
  } finally {
    await conn?.close().catch(() => {});
  }
}
