// Chromium for the browser tests: Debian's package (never a downloaded browser build), driven by playwright-core.
// The test run installs it when it is missing (as root, non-interactively); each test gets a fresh profile.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { ensureDebianPackage } from './apt.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve('test-output/screenshots');

/** Installs Debian's chromium when it is missing. Returns a reason when it cannot (not root, no apt). */
export function ensureChromium(log: (m: string) => void = console.log): string | null {
  return ensureDebianPackage('chromium', () => existsSync(CHROMIUM), 'the browser tests', log);
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

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.1 A and AA violations axe-core finds on the page as it is now (rule, what it is, where). */
export async function accessibilityViolations(page: Page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<AxeResult> } }).axe;
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return r.violations.map((v) => ({
      rule: v.id,
      help: v.help,
      where: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
}
interface AxeResult {
  violations: { id: string; help: string; nodes: { target: string[] }[] }[];
}
