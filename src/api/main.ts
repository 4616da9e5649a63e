/** `npm run api`: connects to Temporal and listens; start-up problems print one line and exit 1. */
import { loadConfig } from '../config';
import { createLogger } from '../observability/logger';
import { createStores } from '../stores';
import { connectTemporal } from '../stores/temporal';
import { buildApp } from './app';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'api');
  const temporal = await connectTemporal(config);
  const stores = createStores(config);
  const app = await buildApp({ config, temporal: temporal.client, temporalHealth: temporal, stores, logger });
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'api shutting down');
    await app.close();
    await stores.close();
    await temporal.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  await app.listen({ host: config.API_HOST, port: config.API_PORT }).catch((error: Error) => {
    throw new Error(`cannot listen on ${config.API_HOST}:${config.API_PORT}: ${error.message}`);
  });
}

main().catch((error: Error) => {
  process.stderr.write(`api: ${error.message}\n`);
  process.exit(1);
});
