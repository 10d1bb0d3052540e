import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createDatabase } from '../db/database';
import { loadConfig } from '../domain/config';
import { prepareAppDatabase } from './app-database';
import { appChildEnv } from './app-env';
import { spawnApp, waitApiReady, warningsAndErrors } from './app-processes';
import { ensureDevConnector } from './dev-connector';
import { startDevIntegrations, type DevIntegrations } from './dev-integrations';
import { loadOrCreateDevSecrets } from './dev-secrets';
import { type ManagedProcess } from './managed-process';
import { pidFiles } from './pid-files';
import { assertPortFree } from './port-check';
import { ensureDatabase, startPostgres, type PostgresServer } from './postgres-server';
import { temporalTarget } from '../temporal/client';
import { ensureSearchAttributes, startTemporalDevServer, type TemporalDevServer } from './temporal-dev-server';
import { runningBanner } from './running-banner';
import { onStopSignals } from './stop-signals';
import { resolvePostgresBinDir, resolveTemporalCli } from './tool-binaries';

/**
 * `npm start`: everything a developer needs, in the foreground. Reuses .data/ across runs.
 * Ctrl-C / SIGTERM / SIGHUP stops every child in reverse order (API, worker, emulators, Temporal,
 * PostgreSQL) within 15 s.
 */
const projectRoot = path.resolve(__dirname, '..');
const log = (msg: string) => console.log(`[start] ${msg}`);

async function main(): Promise<void> {
  const config = loadConfig();
  const dataDir = path.resolve(projectRoot, config.DATA_DIR);
  const logDir = path.join(dataDir, 'logs');
  const runDir = path.join(dataDir, 'run');
  mkdirSync(logDir, { recursive: true });
  const pids = pidFiles(runDir);
  const portFree = (port: number, what: string, env: string) => assertPortFree(port, what, env, runDir);
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
    pids.clear();
    clearTimeout(hardExit);
    log('stopped.');
    process.exit(exitCode);
  };
  onStopSignals(() => void stopAll(0));

  try {
    await portFree(config.PORT, 'API', 'PORT');
    pids.clear(); // every port is free: whatever the pid files named is gone
    pids.record('launcher', process.pid);

    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      await portFree(config.PGPORT, 'PostgreSQL', 'PGPORT');
      log(`starting PostgreSQL on 127.0.0.1:${config.PGPORT} (data: ${path.relative(projectRoot, dataDir)}/postgres)`);
      pg = await startPostgres({ binDir: resolvePostgresBinDir(config.PG_BIN_DIR), dataDir: path.join(dataDir, 'postgres'), port: config.PGPORT, password: secrets.POSTGRES_PASSWORD, logFile: path.join(logDir, 'postgres.log'), detached: true });
      await ensureDatabase(pg.url('postgres'), 'crm');
      pids.record('postgres', pg.process.child.pid);
      if (pg.dataDir !== path.join(dataDir, 'postgres')) log(`the postgres user cannot reach ${path.relative(projectRoot, dataDir)}/ (a private folder above it): PostgreSQL data is in ${pg.dataDir}`);
      databaseUrl = pg.url('crm');
    }

    let temporalAddress = config.TEMPORAL_ADDRESS;
    let temporalUi: string | undefined;
    if (!temporalAddress) {
      await portFree(config.TEMPORAL_PORT, 'Temporal', 'TEMPORAL_PORT');
      await portFree(config.TEMPORAL_UI_PORT, 'Temporal Web UI', 'TEMPORAL_UI_PORT');
      log(`starting the Temporal dev server on 127.0.0.1:${config.TEMPORAL_PORT}, Web UI on ${config.TEMPORAL_UI_PORT}`);
      // The UI decodes payloads through the API's codec server (same host as the UI: the sign-in cookie is same-site).
      const uiCodecEndpoint = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.PORT}/codec`;
      temporal = await startTemporalDevServer({ cliPath: resolveTemporalCli(config.TEMPORAL_CLI_PATH), port: config.TEMPORAL_PORT, uiPort: config.TEMPORAL_UI_PORT, dbFile: path.join(dataDir, 'temporal.db'), namespace: config.TEMPORAL_NAMESPACE, logFile: path.join(logDir, 'temporal.log'), detached: true, uiCodecEndpoint });
      pids.record('temporal', temporal.process.child.pid);
      temporalAddress = temporal.address;
      temporalUi = temporal.uiUrl;
    } else {
      await ensureSearchAttributes(temporalTarget(config, temporalAddress));
    }

    const db = createDatabase(databaseUrl, { max: 2 });
    const keysFile = path.join(dataDir, 'dev-api-keys.json');
    const keys = await prepareAppDatabase(db, keysFile, log);

    const publicBaseUrl = config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`;
    const temporalUiOrigins = temporalUi ? [temporalUi, `http://localhost:${config.TEMPORAL_UI_PORT}`] : [];
    const childEnv = appChildEnv({ config, secrets, databaseUrl, temporalAddress, publicBaseUrl, temporalUiOrigins });
    await portFree(config.SMTP_SINK_PORT, 'SMTP sink', 'SMTP_SINK_PORT');
    if (!config.PSA_API_URL) await portFree(config.PSA_EMULATOR_PORT, 'PSA emulator', 'PSA_EMULATOR_PORT');
    if (!config.BOOKS_API_URL) await portFree(config.BOOKS_EMULATOR_PORT, 'Books emulator', 'BOOKS_EMULATOR_PORT');
    if (!config.SALESFORCE_LOGIN_URL) await portFree(config.SALESFORCE_EMULATOR_PORT, 'Salesforce emulator', 'SALESFORCE_EMULATOR_PORT');
    const salesforceCredentials = { clientId: config.SALESFORCE_CLIENT_ID ?? secrets.SALESFORCE_CLIENT_ID, clientSecret: config.SALESFORCE_CLIENT_SECRET ?? secrets.SALESFORCE_CLIENT_SECRET };
    integrations = await startDevIntegrations({ config, db, dataDir, env: childEnv, log, salesforceCredentials });
    await db.destroy();

    let api: ManagedProcess | undefined;
    for (const name of ['worker', 'api'] as const) {
      // Logs in .data/logs/ (rotated); warnings and errors also here on the terminal.
      const child = spawnApp(name, { env: childEnv, logFile: path.join(logDir, `${name}.log`), echo: warningsAndErrors });
      pids.record(name, child.child.pid);
      if (name === 'api') api = child;
      children.push(child);
      void child.exited.then((code) => {
        if (!stopping) {
          log(`${name} exited unexpectedly (code ${code}); stopping everything.`);
          void stopAll(1);
        }
      });
    }
    const apiUrl = `http://localhost:${config.PORT}`;
    await waitApiReady(apiUrl, api!);
    if (integrations.salesforce) await ensureDevConnector({ apiUrl, keysFile, salesforce: integrations.salesforce, log });

    console.log(
      runningBanner({
        title: 'crm-workflows is running. Ctrl-C stops everything.',
        apiUrls: [apiUrl],
        temporal: temporalUi ?? `(external Temporal at ${temporalAddress})`,
        keysFile,
        keysCreated: keys === 'created',
        integrationLines: integrations.describe(),
        logDir,
      }),
    );
  } catch (err) {
    console.error(`[start] ${err instanceof Error ? err.message : String(err)}`);
    await stopAll(1);
  }
}

void main();
