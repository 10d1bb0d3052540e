import pino from 'pino';
import { createDatabase } from '../db/database';
import { loadConfig, requireSetting } from '../domain/config';
import { connectTemporal, temporalTarget } from '../temporal/client';
import { createApiMetrics } from '../services/metrics/api-metrics';
import { buildApp } from './app';
import { LOG_REDACT, requestLogSerializers } from './logging';

/** API process entry: config once, dependencies injected, graceful shutdown on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.LOG_LEVEL, redact: LOG_REDACT, serializers: requestLogSerializers });
  const db = createDatabase(requireSetting(config, 'DATABASE_URL'));
  const temporal = await connectTemporal(temporalTarget(config));
  const app = await buildApp({ db, temporal: temporal.client, config, logger, metrics: createApiMetrics({ processMetrics: true }) });
  await app.listen({ host: config.HOST, port: config.PORT });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'api shutting down');
    await app.close();
    await temporal.close();
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
