// Workflow code is bundled once (webpack) and shared by every worker in the process, and by tests.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BundleOptions, bundleWorkflowCode } from '@temporalio/worker';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export const bundleOptions: BundleOptions = {
  workflowsPath,
  // Sources import './x.js' (NodeNext style); webpack must find the .ts file behind it.
  webpackConfigHook: (config) => {
    config.resolve = { ...config.resolve, extensionAlias: { '.js': ['.ts', '.js'] } };
    return config;
  },
};

/** Webpack's chatter is debug-level; only problems are worth a line. */
const quiet = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (m: string, meta?: unknown) => console.warn(m, meta ?? ''),
  error: (m: string, meta?: unknown) => console.error(m, meta ?? ''),
};

export function bundle() {
  return bundleWorkflowCode({ ...bundleOptions, logger: quiet });
}

/**
 * The bundle built in a child process and written to a file, for long-lived workers: webpack leaves about
 * 125 MB in the heap of the process that ran it, which a worker would otherwise carry for its whole life.
 */
export async function bundleInChild(): Promise<{ codePath: string }> {
  const codePath = path.join(os.tmpdir(), `cisflow-workflows-${process.pid}-${Date.now()}.js`);
  await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./bundle-child.ts', import.meta.url)), codePath],
    { maxBuffer: 16 * 2 ** 20 },
  );
  process.once('exit', () => rmSync(codePath, { force: true }));
  return { codePath };
}
