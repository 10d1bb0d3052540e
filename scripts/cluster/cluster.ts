import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDatabase } from '../../db/database';
import { loadConfig, type AppConfig } from '../../domain/config';
import { prepareAppDatabase } from '../app-database';
import { appChildEnv } from '../app-env';
import { freePort } from '../free-port';
import { spawnApp, waitApiReady, waitWorkerStarted } from '../app-processes';
import { bundleWorkflows } from '../bundle-workflows';
import { startDevIntegrations, type DevIntegrations } from '../dev-integrations';
import { loadOrCreateDevSecrets } from '../dev-secrets';
import { ensureDatabase, startPostgres } from '../postgres-server';
import { resolvePostgresBinDir } from '../tool-binaries';
import { ensureClusterBinaries, type ClusterBinaries } from './binaries';
import { ensureNamespace } from './namespace';
import { DEFAULT_REPLICAS, type ClusterPorts, type Replicas } from './ports';
import { Supervisor, type ProcessInfo, type ServiceName, type UnexpectedExit } from './supervisor';
import { TEMPORAL_DATABASES, writeTemporalConfig, type TemporalInstance } from './temporal-config';
import { ensureTemporalSchemas, sqlTargetFromUrl, withDatabase } from './temporal-schema';
import { launchTemporalInstance, waitForClusterMetadata, waitForFrontend } from './temporal-services';
import { launchUiServer } from './ui-server';
import { CLUSTER_HISTORY_SHARDS } from './versions';

/**
 * The production topology on one machine: PostgreSQL (ours or DATABASE_URL) holding the CRM and
 * Temporal's persistence and visibility; Temporal as separate frontend, history ×2, matching ×2 and
 * worker processes; the standalone Web UI; two worker and two API processes of ours. Every process
 * can be killed and restarted by name (the chaos tests); `stop()` stops them in order and reports
 * any process left behind.
 */
export interface StartClusterOptions {
  /** PostgreSQL data (private cluster), Temporal config, logs, keys, secrets, mail, the workflow bundle. */
  dataDir: string;
  ports: ClusterPorts;
  replicas?: Replicas;
  namespace?: string;
  taskQueue?: string;
  /** The CRM database on an existing server; Temporal's two databases are created beside it. Unset: a private PostgreSQL in dataDir. */
  databaseUrl?: string;
  pgBinDir?: string;
  /** fsync off (tests). */
  ephemeralPostgres?: boolean;
  /** The SMTP sink (dev mailbox) and PSA emulator of `npm start`; tests bring their own. Default true. */
  devIntegrations?: boolean;
  ui?: boolean;
  /** Settings of the APIs and workers (secrets, PSA); default: the environment. */
  appConfig?: AppConfig;
  /** Extra environment of the APIs and workers. */
  appEnv?: Record<string, string | undefined>;
  workflowBundlePath?: string;
  binaries?: ClusterBinaries;
  temporalLogLevel?: string;
  log?: (msg: string) => void;
  /** Aborting stops the bring-up (and any build) and what it started. */
  signal?: AbortSignal;
}

export interface Cluster {
  /** Temporal frontend `host:port`. */
  address: string;
  namespace: string;
  taskQueue: string;
  uiUrl?: string;
  apiUrls: string[];
  /** The CRM database. */
  databaseUrl: string;
  keysFile: string;
  keysCreated: boolean;
  integrationLines: string[];
  logDir: string;
  processes(): ProcessInfo[];
  /** Exits nobody asked for (a crash, or a kill from outside). */
  unexpectedExits: UnexpectedExit[];
  onUnexpectedExit(handler: (exit: UnexpectedExit, name: string) => void): void;
  /** Sends a signal (default SIGKILL) to one process and waits for it to exit. */
  kill(service: ServiceName, index: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a killed process again; if it still runs, stops it first (SIGTERM). Resolves once it is ready. */
  restart(service: ServiceName, index: number): Promise<void>;
  /** Fast shutdown of the private PostgreSQL, `downMs` without it, then start it again; times in ms since the epoch. */
  restartPostgres(opts?: { downMs?: number }): Promise<{ stopRequestedAt: number; stoppedAt: number; readyAt: number }>;
  stop(): Promise<{ leftBehind: number[] }>;
}

const TEMPORAL_SERVICE: Record<TemporalInstance['service'], ServiceName> = { frontend: 'frontend', history: 'history', matching: 'matching', worker: 'temporal-worker' };

/** Stop order: our processes first (the workers drain), then the in-process integrations, the UI, Temporal, PostgreSQL. */
function stopPlan(closeIntegrations: () => Promise<void>): Array<ServiceName[] | (() => Promise<void>)> {
  return [['api'], ['worker'], closeIntegrations, ['ui'], ['frontend', 'temporal-worker'], ['matching', 'history'], ['postgres']];
}

export async function startCluster(opts: StartClusterOptions): Promise<Cluster> {
  const log = opts.log ?? (() => undefined);
  const replicas = opts.replicas ?? DEFAULT_REPLICAS;
  const namespace = opts.namespace ?? 'default';
  const taskQueue = opts.taskQueue ?? 'crm';
  const { ports } = opts;
  const dataDir = path.resolve(opts.dataDir);
  const logDir = path.join(dataDir, 'logs');
  const runDir = path.join(dataDir, 'temporal');
  mkdirSync(logDir, { recursive: true });
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  const secrets = loadOrCreateDevSecrets(path.join(dataDir, 'dev-secrets.json'));
  const supervisor = new Supervisor();
  let integrations: DevIntegrations | undefined;
  let app: Promise<unknown> | undefined;
  const checkAborted = () => {
    if (opts.signal?.aborted) throw new Error('cluster start was cancelled');
  };

  try {
    const binaries = opts.binaries ?? (await ensureClusterBinaries(log, opts.signal));
    checkAborted();
    const bundle = opts.workflowBundlePath ? Promise.resolve(opts.workflowBundlePath) : bundleWorkflows(path.join(dataDir, 'workflow-bundle.js'));
    bundle.catch(() => undefined);

    // PostgreSQL: the CRM database and Temporal's two.
    let crmUrl: string;
    let adminUrl: string;
    if (opts.databaseUrl) {
      crmUrl = opts.databaseUrl;
      adminUrl = withDatabase(opts.databaseUrl, 'postgres');
    } else {
      log(`starting PostgreSQL on 127.0.0.1:${ports.postgres} (data: ${path.relative(process.cwd(), dataDir)}/postgres)`);
      const binDir = resolvePostgresBinDir(opts.pgBinDir);
      let url: ((db: string) => string) | undefined;
      await supervisor.start('postgres', 0, async () => {
        const pg = await startPostgres({ binDir, dataDir: path.join(dataDir, 'postgres'), port: ports.postgres, password: secrets.POSTGRES_PASSWORD, logFile: path.join(logDir, 'postgres.log'), detached: true, ephemeral: opts.ephemeralPostgres });
        url = pg.url;
        return pg.process;
      });
      crmUrl = url!('crm');
      adminUrl = url!('postgres');
      await ensureDatabase(adminUrl, 'crm');
    }
    checkAborted();
    const schemaStarted = Date.now();
    await ensureTemporalSchemas({ sqlTool: binaries.sqlTool, schemaDir: binaries.schemaDir, adminUrl, log });
    log(`Temporal schemas ready (${Date.now() - schemaStarted} ms)`);

    // Temporal: the first process alone until the cluster metadata exists, then the others together.
    const { instances } = writeTemporalConfig({ runDir, ports, sql: sqlTargetFromUrl(adminUrl), historyShards: CLUSTER_HISTORY_SHARDS, logLevel: opts.temporalLogLevel });
    const launch = (instance: TemporalInstance) => supervisor.start(TEMPORAL_SERVICE[instance.service], instance.index, () => launchTemporalInstance({ serverBin: binaries.server, runDir, instance, logDir, detached: true }));
    const [first, ...others] = instances;
    const temporalStarted = Date.now();
    log(`starting Temporal ${instances.map((i) => i.id).join(', ')} (frontend on 127.0.0.1:${ports.frontend.grpc})`);
    const firstProc = await launch(first!);
    await waitForClusterMetadata(withDatabase(adminUrl, TEMPORAL_DATABASES.persistence), firstProc);
    const preparing = prepareApp(crmUrl);
    app = preparing.catch(() => undefined);
    await Promise.all(others.map(launch));
    const address = `127.0.0.1:${ports.frontend.grpc}`;
    await waitForFrontend(address, firstProc);
    await ensureNamespace(address, namespace);
    log(`Temporal is serving namespace ${namespace} (${Date.now() - temporalStarted} ms)`);
    checkAborted();

    const uiUrl = opts.ui === false ? undefined : `http://127.0.0.1:${ports.ui}`;
    if (uiUrl) await supervisor.start('ui', 0, () => launchUiServer({ uiServerBin: binaries.uiServer, runDir, port: ports.ui, frontendAddress: address, namespace, logDir, detached: true, codecEndpoint: `http://127.0.0.1:${ports.api[0]}/codec` }));

    const { childEnv, keysFile, keysCreated } = await preparing;
    const workflowBundlePath = await bundle;
    checkAborted();
    const apiUrls = ports.api.slice(0, replicas.apis).map((port) => `http://127.0.0.1:${port}`);
    const env = { ...childEnv, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, TEMPORAL_TASK_QUEUE: taskQueue, WORKFLOW_BUNDLE_PATH: workflowBundlePath, ...opts.appEnv };
    log(`starting ${replicas.workers} workers and ${replicas.apis} APIs`);
    await Promise.all(
      Array.from({ length: replicas.workers }, (_, i) =>
        supervisor.start('worker', i, async () => {
          const proc = spawnApp('worker', { name: `worker-${i + 1}`, env, logFile: path.join(logDir, `worker-${i + 1}.log`) });
          await waitWorkerStarted(proc);
          return proc;
        }),
      ),
    );
    await Promise.all(
      apiUrls.map((url, i) =>
        supervisor.start('api', i, async () => {
          const proc = spawnApp('api', { name: `api-${i + 1}`, env: { ...env, PORT: String(ports.api[i]) }, logFile: path.join(logDir, `api-${i + 1}.log`) });
          await waitApiReady(url, proc);
          return proc;
        }),
      ),
    );

    const closeIntegrations = async () => {
      await integrations?.stop();
    };
    return {
      address,
      namespace,
      taskQueue,
      uiUrl,
      apiUrls,
      databaseUrl: crmUrl,
      keysFile,
      keysCreated,
      integrationLines: integrations?.describe() ?? [],
      logDir,
      processes: () => supervisor.list(),
      unexpectedExits: supervisor.unexpectedExits,
      onUnexpectedExit: (handler) => {
        supervisor.onUnexpectedExit = handler;
      },
      kill: (service, index, signal = 'SIGKILL') => supervisor.kill(service, index, signal),
      restart: async (service, index) => {
        const running = supervisor.list().find((p) => p.service === service && p.index === index)?.running;
        if (running) await supervisor.restart(service, index);
        else await supervisor.relaunch(service, index);
      },
      restartPostgres: async ({ downMs = 0 } = {}) => {
        if (opts.databaseUrl) throw new Error('PostgreSQL is external (DATABASE_URL): the cluster cannot restart it');
        const stopRequestedAt = Date.now();
        // SIGINT is PostgreSQL's fast shutdown: open transactions roll back, clients are disconnected.
        await supervisor.kill('postgres', 0, 'SIGINT');
        const stoppedAt = Date.now();
        if (downMs > 0) await sleep(downMs);
        await supervisor.relaunch('postgres', 0);
        return { stopRequestedAt, stoppedAt, readyAt: Date.now() };
      },
      stop: () => supervisor.stopAll(stopPlan(closeIntegrations)),
    };
  } catch (err) {
    // The SMTP sink and PSA emulator may still be starting: let them, then stop them with the rest.
    await app;
    await supervisor.stopAll(stopPlan(async () => integrations?.stop()));
    throw err;
  }

  /** Migrations, keys and (in development) the SMTP sink and PSA emulator, while Temporal comes up. */
  async function prepareApp(crmUrl: string): Promise<{ childEnv: NodeJS.ProcessEnv; keysFile: string; keysCreated: boolean }> {
    const apiUrl = `http://127.0.0.1:${ports.api[0]}`;
    const config = opts.appConfig ?? loadConfig({ ...process.env, SMTP_SINK_PORT: String(ports.smtpSink), PSA_EMULATOR_PORT: String(ports.psaEmulator), BOOKS_EMULATOR_PORT: String(await freePort()), PORT: String(ports.api[0]) });
    const db = createDatabase(crmUrl, { max: 2 });
    try {
      const keysFile = path.join(dataDir, 'dev-api-keys.json');
      const keys = await prepareAppDatabase(db, keysFile, log);
      const temporalUiOrigins = opts.ui === false ? [] : [`http://127.0.0.1:${ports.ui}`, `http://localhost:${ports.ui}`];
      const childEnv = appChildEnv({ config, secrets, databaseUrl: crmUrl, temporalAddress: `127.0.0.1:${ports.frontend.grpc}`, publicBaseUrl: config.PUBLIC_BASE_URL ?? apiUrl, temporalUiOrigins });
      if (opts.devIntegrations !== false) integrations = await startDevIntegrations({ config, db, dataDir, env: childEnv, log });
      return { childEnv, keysFile, keysCreated: keys === 'created' };
    } finally {
      await db.destroy();
    }
  }
}
