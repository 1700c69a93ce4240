// `npm test` runs this first, so a first-time Temporal CLI build shows its progress instead of hiding in test setup.

import { createLogger } from '../lib/logger.js';
import { resolveTemporalCli } from './temporal.js';

if (process.env.TEMPORAL_ADDRESS) process.exit(0);
const log = createLogger('setup');
const cli = await resolveTemporalCli(log);
log.info({ path: cli.path, from: cli.from }, 'Temporal CLI ready');
