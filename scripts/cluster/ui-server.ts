import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { spawnManaged, waitFor, type ManagedProcess } from '../managed-process';

/**
 * The standalone Temporal Web UI (`temporal-ui-server`, which embeds the built UI), pointed at the
 * cluster's frontend. The `temporal` CLI's embedded UI only serves its own dev server.
 */
export async function launchUiServer(opts: { uiServerBin: string; runDir: string; port: number; frontendAddress: string; namespace: string; logDir: string; detached?: boolean; codecEndpoint?: string }): Promise<ManagedProcess> {
  const configDir = path.join(opts.runDir, 'ui-config');
  mkdirSync(configDir, { recursive: true });
  const origin = `http://127.0.0.1:${opts.port}`;
  const config = {
    temporalGrpcAddress: opts.frontendAddress,
    host: '127.0.0.1',
    port: opts.port,
    enableUi: true,
    defaultNamespace: opts.namespace,
    cors: { cookieInsecure: true, allowOrigins: [origin, `http://localhost:${opts.port}`] },
    notifyOnNewVersion: false,
    // The API's codec server decodes payloads (TEMPORAL_PAYLOAD_KEY); the UI sends the sign-in cookie of /codec/login with each request.
    ...(opts.codecEndpoint && { codec: { endpoint: opts.codecEndpoint, includeCredentials: true } }),
  };
  writeFileSync(path.join(configDir, 'cluster.yaml'), `# Written by npm run cluster (scripts/cluster/ui-server.ts) at every start.\n${YAML.stringify(config)}`);
  const logFile = path.join(opts.logDir, 'temporal-ui.log');
  const proc = spawnManaged('temporal-ui', opts.uiServerBin, ['--root', opts.runDir, '--config', 'ui-config', '--env', 'cluster', 'start'], { cwd: opts.runDir, logFile, stopSignal: 'SIGTERM', detached: opts.detached });
  await waitFor(`Temporal UI ${origin} (log: ${logFile})`, async () => (await fetch(`${origin}/api/v1/settings`)).ok, { timeoutMs: 30_000, intervalMs: 200, exited: proc.exited });
  return proc;
}
