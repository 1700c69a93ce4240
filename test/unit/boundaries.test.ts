// The layer boundaries (.dependency-cruiser.cjs) hold over the whole tree, and the check really fails on a
// violation: a small tree with one of each kind of break is refused, rule by rule.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { cruise } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const config = require('../../.dependency-cruiser.cjs') as {
  forbidden: unknown[];
  options: Record<string, unknown>;
};
const ROOT = path.resolve(import.meta.dirname, '../..');

async function violations(baseDir: string, folders: string[]) {
  const cwd = process.cwd();
  process.chdir(baseDir); // rule paths are relative to the tree being checked
  try {
    const r = await cruise(folders, {
      ...config.options,
      validate: true,
      ruleSet: { forbidden: config.forbidden },
      tsConfig: { fileName: path.join(ROOT, 'tsconfig.json') },
    } as never);
    const out = r.output as {
      modules: unknown[];
      summary: { violations: { rule: { name: string }; from: string; to: string }[] };
    };
    return {
      modules: out.modules.length,
      list: out.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`),
    };
  } finally {
    process.chdir(cwd);
  }
}

describe('layer boundaries', () => {
  it('the tree keeps every boundary', async () => {
    const found = await violations(ROOT, [
      'domain',
      'db',
      'activities',
      'workflows',
      'workers',
      'api',
      'lib',
      'portal/src',
    ]);
    expect(found.modules).toBeGreaterThan(100); // it really read the tree
    expect(found.list).toEqual([]);
  }, 120_000);

  it('a deliberate violation of each rule fails the check', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cisflow-boundaries-'));
    try {
      const file = (p: string, text: string) => {
        mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
        writeFileSync(path.join(dir, p), text);
      };
      file('domain/bad.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n");
      file('db/q.ts', 'export const q = 1;\n');
      file('workflows/bad.ts', "import { q } from '../db/q.js';\nexport const y = q;\n");
      file('portal/src/bad.ts', "import { q } from '../../db/q.js';\nexport const z = q;\n");
      file('api/routes/bad.ts', "import postgres from 'postgres';\nexport const p = postgres;\n");
      file('lib/a.ts', "import { b } from './b.js';\nexport const a = () => b;\n");
      file('lib/b.ts', "import { a } from './a.js';\nexport const b = () => a;\n");
      const found = await violations(dir, ['domain', 'db', 'workflows', 'portal', 'lib', 'api']);
      expect([...new Set(found.list.map((v) => v.split(':')[0]))].sort()).toEqual([
        'domain-is-pure',
        'no-cycles',
        'portal-is-a-client',
        'routes-no-postgres',
        'workflows-do-no-io',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('outside workflows/, a workflow is reached through its contract only', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cisflow-contracts-'));
    try {
      const file = (p: string, text: string) => {
        mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
        writeFileSync(path.join(dir, p), text);
      };
      file('workflows/contracts/w.ts', "export const wId = (id: string) => 'w/' + id;\n");
      file(
        'workflows/w.ts',
        "import { wId } from './contracts/w.js';\nexport type W = () => string;\nexport const w = () => wId('1');\n",
      );
      file('workflows/index.ts', "export * from './w.js';\n");
      // allowed: the contract, at run time from the API, type-only from the portal
      file(
        'api/routes/ok.ts',
        "import { wId } from '../../workflows/contracts/w.js';\nexport const ok = wId;\n",
      );
      file(
        'portal/src/ok.ts',
        "import type { wId } from '../../workflows/contracts/w.js';\nexport type Ok = typeof wId;\n",
      );
      // refused: the implementation, even type-only, and from a contract
      file('activities/bad.ts', "import { w } from '../workflows/w.js';\nexport const bad = w;\n");
      file('portal/src/bad.ts', "import type { W } from '../../workflows/w.js';\nexport type Bad = W;\n");
      file('workflows/contracts/bad.ts', "import { w } from '../w.js';\nexport const bad = w;\n");
      const found = await violations(dir, ['workflows', 'api', 'activities', 'portal']);
      expect(found.list.sort()).toEqual([
        'workflows-through-contracts: activities/bad.ts -> workflows/w.ts',
        'workflows-through-contracts: portal/src/bad.ts -> workflows/w.ts',
        'workflows-through-contracts: workflows/contracts/bad.ts -> workflows/w.ts',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
