// The README's start command, as a new user runs it: everything comes up with demo data and working URLs,
// Ctrl-C stops every process, and a second start keeps the data.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../dev/postgres.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cisflow-e2e-'));
chmodSync(dataDir, 0o755);
let proc: ChildProcess | undefined;

afterAll(() => {
  if (proc?.exitCode === null) proc.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(port: number) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CISFLOW_DATA_DIR: dataDir,
    PORT: String(port),
    DEMO_ACCOUNTS: '25',
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  proc = spawn(process.execPath, ['--import', 'tsx', 'dev/start.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc!.once('exit', r));
  const deadline = Date.now() + 90_000;
  while (!out.includes('Press Ctrl-C')) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`start failed:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const url = (label: string) => new RegExp(`${label}\\s+(http\\S+)`).exec(out)?.[1];
  return {
    out: () => out,
    exited,
    urls: {
      portal: url('Customer portal'),
      staff: url('Staff console'),
      docs: url('API docs'),
      temporalUi: url('Temporal UI'),
    },
  };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function accountCount(base: string) {
  const login = await fetch(`${base}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'csr@cisflow.local', password: 'cisflow-demo' }),
  }).then((r) => r.json());
  const list = await fetch(`${base}/accounts?limit=100`, {
    headers: { authorization: `Bearer ${login.token}` },
  }).then((r) => r.json());
  return list.data.length as number;
}

describe('npm start', () => {
  it('brings the system up, stops it cleanly on Ctrl-C, and keeps data across restarts', async () => {
    const port = await freePort();
    const first = await start(port);
    for (const u of Object.values(first.urls)) {
      expect(u).toBeTruthy();
      expect((await fetch(u!)).status, u).toBe(200);
    }
    const base = new URL(first.urls.portal!).origin;
    expect(await accountCount(base)).toBe(25);
    const state = JSON.parse(readFileSync(path.join(dataDir, 'state.json'), 'utf8'));
    const pgPid = Number(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(alive(state.temporalPid)).toBe(true);
    expect(alive(pgPid)).toBe(true);

    proc!.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(alive(state.temporalPid)).toBe(false);
    expect(alive(pgPid)).toBe(false);
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();

    const second = await start(port);
    expect(second.out()).not.toContain('demo utility loaded');
    expect(await accountCount(base)).toBe(25);
    proc!.kill('SIGINT');
    expect(await second.exited).toBe(0);
  }, 240_000);
});
