// Workflow code is bundled once (webpack) and shared by every worker in the process, and by tests.
import { fileURLToPath } from 'node:url';
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
