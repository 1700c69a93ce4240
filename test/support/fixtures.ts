// The public fixtures live in the shared folder beside the clone (../shared/fixtures), as CI lays it out.
import { existsSync } from 'node:fs';
import path from 'node:path';

export const FIXTURES = path.resolve(process.env.CISFLOW_FIXTURES ?? '../shared/fixtures');
if (!existsSync(FIXTURES)) {
  throw new Error(`fixtures not found at ${FIXTURES}: put shared/ beside the clone, or set CISFLOW_FIXTURES`);
}
