import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createDatabase } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { loadConfig } from '../domain/config';
import { ensureDevApiKeys } from './dev-api-keys';
import { startDevIntegrations, type DevIntegrations } from './dev-integrations';
import { loadOrCreateDevSecrets } from './dev-secrets';
import { spawnManaged, waitFor, type ManagedProcess } from './managed-process';
import { ensureDatabase, startPostgres, type PostgresServer } from './postgres-server';
import { temporalTarget } from '../temporal/client';
import { ensureSearchAttributes, startTemporalDevServer, type TemporalDevServer } from './temporal-dev-server';
import { resolvePostgresBinDir, resolveTemporalCli } from './tool-binaries';

/**
 * `npm start`: everything a developer needs, in the foreground. Reuses .data/ across runs.
 * Ctrl-C / SIGTERM stops every child in reverse order (API, worker, emulators, Temporal,
 * PostgreSQL) within 15 s.
 */
const projectRoot = path.resolve(__dirname, '..');
const log = (msg: string) => console.log(`[start] ${msg}`);

function assertPortFree(port: number, what: string, envName: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', () => reject(new Error(`Port ${port} (${what}) is already in use. Stop whatever uses it, or set ${envName} to another port.`)));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const dataDir = path.resolve(projectRoot, config.DATA_DIR);
  const logDir = path.join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const secrets = loadOrCreateDevSecrets(path.join(dataDir, 'dev-secrets.json'));

  let pg: PostgresServer | undefined;
  let temporal: TemporalDevServer | undefined;
  let integrations: DevIntegrations | undefined;
  const children: ManagedProcess[] = [];
  let stopping = false;

  const stopAll = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping...');
    const hardExit = setTimeout(() => process.exit(exitCode || 1), 15_000);
    for (const child of [...children].reverse()) await child.stop({ graceMs: 8_000 }).catch(() => undefined);
    await integrations?.stop().catch(() => undefined);
    await Promise.allSettled([temporal?.stop(), pg?.stop()]);
    clearTimeout(hardExit);
    log('stopped.');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    await assertPortFree(config.PORT, 'API', 'PORT');

    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      await assertPortFree(config.PGPORT, 'PostgreSQL', 'PGPORT');
      log(`starting PostgreSQL on 127.0.0.1:${config.PGPORT} (data: ${path.relative(projectRoot, dataDir)}/postgres)`);
      pg = await startPostgres({ binDir: resolvePostgresBinDir(config.PG_BIN_DIR), dataDir: path.join(dataDir, 'postgres'), port: config.PGPORT, password: secrets.POSTGRES_PASSWORD, logFile: path.join(logDir, 'postgres.log'), detached: true });
      await ensureDatabase(pg.url('postgres'), 'crm');
      databaseUrl = pg.url('crm');
    }

    let temporalAddress = config.TEMPORAL_ADDRESS;
    let temporalUi: string | undefined;
    if (!temporalAddress) {
      await assertPortFree(config.TEMPORAL_PORT, 'Temporal', 'TEMPORAL_PORT');
      await assertPortFree(config.TEMPORAL_UI_PORT, 'Temporal Web UI', 'TEMPORAL_UI_PORT');
      log(`starting the Temporal dev server on 127.0.0.1:${config.TEMPORAL_PORT}, Web UI on ${config.TEMPORAL_UI_PORT}`);
      temporal = await startTemporalDevServer({ cliPath: resolveTemporalCli(config.TEMPORAL_CLI_PATH), port: config.TEMPORAL_PORT, uiPort: config.TEMPORAL_UI_PORT, dbFile: path.join(dataDir, 'temporal.db'), namespace: config.TEMPORAL_NAMESPACE, logFile: path.join(logDir, 'temporal.log'), detached: true });
      temporalAddress = temporal.address;
      temporalUi = temporal.uiUrl;
    } else {
      await ensureSearchAttributes(temporalTarget(config, temporalAddress));
    }

    const db = createDatabase(databaseUrl, { max: 2 });
    const applied = await migrateToLatest(db);
    log(applied.length ? `applied migrations: ${applied.map((m) => m.migrationName).join(', ')}` : 'database schema up to date');
    const keysFile = path.join(dataDir, 'dev-api-keys.json');
    const keys = await ensureDevApiKeys(db, keysFile);

    const publicBaseUrl = config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`;
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      PUBLIC_BASE_URL: publicBaseUrl,
      TRACKING_SECRET: config.TRACKING_SECRET ?? secrets.TRACKING_SECRET,
      MAIL_WEBHOOK_SECRET: config.MAIL_WEBHOOK_SECRET ?? secrets.MAIL_WEBHOOK_SECRET,
      ERASURE_HASH_SECRET: config.ERASURE_HASH_SECRET ?? secrets.ERASURE_HASH_SECRET,
      SECRETS_KEY: config.SECRETS_KEY ?? secrets.SECRETS_KEY,
      PSA_INTEGRATION_KEY: config.PSA_INTEGRATION_KEY ?? secrets.PSA_INTEGRATION_KEY,
      CRM_INTEGRATION_KEY: config.CRM_INTEGRATION_KEY ?? secrets.CRM_INTEGRATION_KEY,
    };
    integrations = await startDevIntegrations({ config, db, dataDir, env: childEnv, log });
    await db.destroy();

    const tsNode = (entry: string) => [process.execPath, ['--import', 'tsx', path.join(projectRoot, entry)]] as const;
    for (const [name, entry] of [['worker', 'worker/main.ts'], ['api', 'api/main.ts']] as const) {
      const [cmd, args] = tsNode(entry);
      const child = spawnManaged(name, cmd, [...args], { env: childEnv, cwd: projectRoot, detached: true, stopSignal: 'SIGTERM' });
      children.push(child);
      void child.exited.then((code) => {
        if (!stopping) {
          log(`${name} exited unexpectedly (code ${code}); stopping everything.`);
          void stopAll(1);
        }
      });
    }
    const apiUrl = `http://localhost:${config.PORT}`;
    await waitFor('API /readyz', async () => (await fetch(`${apiUrl}/readyz`)).status === 200, { timeoutMs: 90_000, intervalMs: 500 });

    const lines = [
      '',
      'crm-workflows is running. Ctrl-C stops everything.',
      `  API           ${apiUrl}`,
      `  API docs      ${apiUrl}/docs   (OpenAPI: ${apiUrl}/openapi.json)`,
      `  Temporal UI   ${temporalUi ?? `(external Temporal at ${temporalAddress})`}`,
      `  API keys      ${path.relative(projectRoot, keysFile)}${keys === 'created' ? ' (created now: one key per role)' : ''}`,
      ...integrations.describe(),
      `  Logs          ${path.relative(projectRoot, logDir)}/`,
      '',
    ];
    console.log(lines.join('\n'));
  } catch (err) {
    console.error(`[start] ${err instanceof Error ? err.message : String(err)}`);
    await stopAll(1);
  }
}

void main();
