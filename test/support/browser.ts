// Chromium for the browser tests: Debian's package (never a downloaded browser build), driven by playwright-core.
// The test run installs it when it is missing (as root, non-interactively); each test gets a fresh profile.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve('test-output/screenshots');

/** Installs Debian's chromium when it is missing. Returns a reason when it cannot (not root, no apt). */
export function ensureChromium(log: (m: string) => void = console.log): string | null {
  if (existsSync(CHROMIUM)) return null;
  if (process.getuid?.() !== 0) return `${CHROMIUM} is missing; install Debian's chromium package (as root)`;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (...args: string[]) =>
    spawnSync('apt-get', args, { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  log('installing chromium for the browser tests (apt-get install -y chromium)…');
  let r = apt('install', '-y', '--no-install-recommends', 'chromium');
  if (r.status !== 0) {
    // a clean machine may have no package lists yet
    apt('update');
    r = apt('install', '-y', '--no-install-recommends', 'chromium');
  }
  if (r.status !== 0 || !existsSync(CHROMIUM))
    return `apt-get install chromium failed (${r.status}): ${(r.stderr ?? r.error?.message ?? '').slice(-500)}`;
  return null;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Saves a full-page screenshot to test-output/screenshots/<name>.png. */
  shot: (name: string, page?: Page) => Promise<string>;
  close: () => Promise<void>;
}

export async function launchBrowser(
  opts: { viewport?: { width: number; height: number } } = {},
): Promise<Browser> {
  const problem = ensureChromium();
  if (problem) throw new Error(problem);
  const profile = mkdtempSync(path.join(os.tmpdir(), 'cisflow-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: opts.viewport ?? { width: 412, height: 915 }, // a phone first
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    context,
    page,
    shot: async (name, p = page) => {
      const file = path.join(SCREENSHOTS, `${name}.png`);
      await p.screenshot({ path: file, fullPage: true });
      return file;
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
