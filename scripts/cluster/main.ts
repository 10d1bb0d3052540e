import path from 'node:path';
import { assertPortFree } from '../port-check';
import { runningBanner } from '../running-banner';
import { onStopSignals } from '../stop-signals';
import { startCluster, type Cluster } from './cluster';
import { loadClusterSettings } from './settings';
import { TEMPORAL_SERVER_VERSION, UI_SERVER_VERSION } from './versions';

/**
 * `npm run cluster`: the production topology on this machine, in the foreground (see README "The production topology").
 * Builds the pinned Temporal server once, reuses the cluster's data dir across runs, and stops
 * everything on Ctrl-C / SIGTERM / SIGHUP, checking that no process is left behind.
 */
const projectRoot = path.resolve(__dirname, '../..');
const log = (msg: string) => console.log(`[cluster] ${msg}`);

async function main(): Promise<void> {
  const started = Date.now();
  const settings = loadClusterSettings(process.env, projectRoot);
  const { ports } = settings;
  const abort = new AbortController();
  let cluster: Cluster | undefined;
  let stopping = false;

  const stopAll = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    abort.abort();
    if (!cluster) return; // the bring-up notices the abort and stops what it started
    log('stopping...');
    const hardExit = setTimeout(() => process.exit(exitCode || 1), 60_000);
    const { leftBehind } = await cluster.stop();
    clearTimeout(hardExit);
    if (leftBehind.length > 0) log(`killed processes that outlived the stop: ${leftBehind.join(', ')}`);
    log('stopped.');
    process.exit(exitCode);
  };
  onStopSignals(() => void stopAll(0));

  try {
    const checks: Array<[number, string, string]> = [
      [ports.frontend.grpc, 'Temporal frontend', 'CLUSTER_TEMPORAL_PORT'],
      [ports.ui, 'Temporal UI', 'CLUSTER_UI_PORT'],
      [ports.smtpSink, 'SMTP sink', 'CLUSTER_SMTP_SINK_PORT'],
      [ports.psaEmulator, 'PSA emulator', 'CLUSTER_PSA_EMULATOR_PORT'],
      ...ports.api.map((p, i): [number, string, string] => [p, `API ${i + 1}`, 'CLUSTER_API_PORT']),
      ...[...ports.history, ...ports.matching, ports.internalWorker].flatMap((r): Array<[number, string, string]> => [[r.grpc, 'Temporal service', 'CLUSTER_TEMPORAL_PORT'], [r.membership, 'Temporal membership', 'CLUSTER_TEMPORAL_PORT']]),
      ...(settings.databaseUrl ? [] : [[ports.postgres, 'PostgreSQL', 'CLUSTER_PGPORT'] as [number, string, string]]),
    ];
    for (const [port, what, env] of checks) await assertPortFree(port, what, env);

    log(`Temporal server ${TEMPORAL_SERVER_VERSION} (multi-service, PostgreSQL), UI server ${UI_SERVER_VERSION}; data in ${path.relative(projectRoot, settings.dataDir)}/`);
    cluster = await startCluster({
      dataDir: settings.dataDir,
      ports,
      databaseUrl: settings.databaseUrl,
      pgBinDir: settings.pgBinDir,
      namespace: settings.namespace,
      taskQueue: settings.taskQueue,
      temporalLogLevel: settings.temporalLogLevel,
      workflowBundlePath: settings.workflowBundlePath,
      log,
      signal: abort.signal,
    });
    cluster.onUnexpectedExit((exit, name) => {
      log(`${name} exited unexpectedly (${exit.signal ?? `code ${exit.code}`}); stopping everything. See ${path.relative(projectRoot, cluster!.logDir)}/.`);
      void stopAll(1);
    });
    if (stopping) {
      stopping = false;
      await stopAll(0);
      return;
    }
    const temporalProcesses = cluster.processes().filter((p) => ['frontend', 'history', 'matching', 'temporal-worker'].includes(p.service));
    console.log(
      runningBanner({
        title: `crm-workflows cluster is running (ready in ${((Date.now() - started) / 1000).toFixed(1)} s). Ctrl-C stops everything.`,
        apiUrls: cluster.apiUrls,
        temporal: cluster.uiUrl ?? '(no UI)',
        extraLines: [`  Temporal      ${cluster.address} (namespace ${cluster.namespace}; ${temporalProcesses.map((p) => p.name.replace(/^temporal-/, '')).join(', ')})`, `  Workers       ${cluster.processes().filter((p) => p.service === 'worker').length} processes on task queue ${cluster.taskQueue}`],
        keysFile: cluster.keysFile,
        keysCreated: cluster.keysCreated,
        integrationLines: cluster.integrationLines,
        logDir: cluster.logDir,
      }),
    );
  } catch (err) {
    console.error(`[cluster] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

void main();
