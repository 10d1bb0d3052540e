import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { createDatabase } from '../db/database';
import { loadConfig, requireSetting } from '../domain/config';
import { buildApp } from './app';
import { LOG_REDACT, requestLogSerializers } from './logging';

/** API process entry: config once, dependencies injected, graceful shutdown on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.LOG_LEVEL, redact: LOG_REDACT, serializers: requestLogSerializers });
  const db = createDatabase(requireSetting(config, 'DATABASE_URL'));
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const app = await buildApp({ db, temporal, config, logger });
  await app.listen({ host: config.HOST, port: config.PORT });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'api shutting down');
    await app.close();
    await connection.close();
    await db.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
