import { connectTemporal, type TemporalTarget } from '../temporal/client';
import { keywordSearchAttributeNames, registerSearchAttributes } from '../temporal/search-attribute-registration';
import { spawnManaged, waitFor, type ManagedProcess } from './managed-process';

/** The `temporal` CLI dev server (real Temporal server, SQLite-backed), with our search attributes. */
export interface TemporalDevServer {
  address: string;
  uiUrl?: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export interface StartTemporalOptions {
  cliPath: string;
  port: number;
  /** undefined = headless (tests). */
  uiPort?: number;
  /** undefined = in-memory (tests). */
  dbFile?: string;
  namespace: string;
  logFile: string;
  detached?: boolean;
  /** The Web UI decodes payloads through this codec server (`--ui-codec-endpoint`), e.g. http://localhost:3000/codec. */
  uiCodecEndpoint?: string;
}

export async function startTemporalDevServer(opts: StartTemporalOptions): Promise<TemporalDevServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--namespace', opts.namespace, '--log-level', 'warn', '--log-format', 'json'];
  if (opts.uiPort !== undefined) args.push('--ui-port', String(opts.uiPort));
  if (opts.uiPort !== undefined && opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  else args.push('--headless');
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  for (const name of keywordSearchAttributeNames()) args.push('--search-attribute', `${name}=Keyword`);
  const proc = spawnManaged('temporal', opts.cliPath, args, { logFile: opts.logFile, stopSignal: 'SIGTERM', detached: opts.detached });
  const address = `127.0.0.1:${opts.port}`;
  await waitFor(
    `Temporal dev server on ${address} (log: ${opts.logFile})`,
    async () => {
      const temporal = await connectTemporal({ address, namespace: opts.namespace, settings: { TEMPORAL_PAYLOAD_KEY: undefined } }, { connectTimeoutMs: 2_000 });
      try {
        await temporal.connection.workflowService.describeNamespace({ namespace: opts.namespace });
        return true;
      } finally {
        await temporal.close();
      }
    },
    { timeoutMs: 90_000, intervalMs: 500, exited: proc.exited },
  );
  return {
    address,
    uiUrl: opts.uiPort !== undefined ? `http://127.0.0.1:${opts.uiPort}` : undefined,
    process: proc,
    stop: () => proc.stop({ graceMs: 10_000 }),
  };
}

/**
 * Registers our Keyword search attributes on a server we did not start (TEMPORAL_ADDRESS).
 * The dev server gets them from --search-attribute; re-adding existing ones is skipped.
 */
export async function ensureSearchAttributes(target: TemporalTarget): Promise<void> {
  const temporal = await connectTemporal(target);
  try {
    await registerSearchAttributes(temporal.connection, target.namespace);
  } finally {
    await temporal.close();
  }
}
