// API process: validates config, migrates, connects to Temporal, listens.

import { Client, Connection } from '@temporalio/client';
import { connect } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { systemClock } from '../lib/clock.js';
import { loadConfig, providerModes } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { stripeFromConfig } from '../lib/providers/stripe.js';
import { buildApp } from './app.js';

async function main() {
  const config = loadConfig();
  const log = createLogger('api', config.logLevel);
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required by the API (npm start sets it for you)');
  if (!config.temporal.address)
    throw new Error('TEMPORAL_ADDRESS is required by the API (npm start sets it for you)');
  const sql = connect(config.databaseUrl, { max: 20, appName: 'cisflow-api' });
  await migrate(sql);
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const app = await buildApp(
    {
      sql,
      temporal: { client, namespace: config.temporal.namespace, uiUrl: config.temporal.uiUrl },
      publicUrl: config.publicUrl,
      providerModes: providerModes(config),
      stripe: stripeFromConfig(config),
      stripeWebhookSecret: config.stripe?.webhookSecret ?? null,
      clock: systemClock(config.utilityTimeZone),
      billPrint: {
        message: config.billMessage,
        utility: config.utility,
        portalUrl: `${config.publicUrl.replace(/\/$/, '')}/portal`,
      },
      metricsToken: config.metricsToken,
      staffAuth: { totpKey: config.totpKey, oidc: config.oidc },
      messaging: {
        twilioAuthToken: config.twilio?.authToken ?? null,
        sendgridWebhookPublicKey: config.sendgridWebhookPublicKey ?? null,
      },
    },
    { logger: log },
  );
  await app.listen({ host: config.host, port: config.port });
  let stopping = false;
  const stop = async () => {
    if (stopping) return; // Ctrl-C can arrive twice: from the terminal and relayed by the parent
    stopping = true;
    await app.close();
    await connection.close();
    await sql.end({ timeout: 5 });
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('disconnect', stop); // the dev orchestrator went away
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
