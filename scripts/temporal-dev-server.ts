import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../domain/temporal-names';
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
}

export async function startTemporalDevServer(opts: StartTemporalOptions): Promise<TemporalDevServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--namespace', opts.namespace, '--log-level', 'warn', '--log-format', 'json'];
  if (opts.uiPort !== undefined) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  for (const name of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${name}=Keyword`);
  const proc = spawnManaged('temporal', opts.cliPath, args, { logFile: opts.logFile, stopSignal: 'SIGTERM', detached: opts.detached });
  const address = `127.0.0.1:${opts.port}`;
  await waitFor(
    `Temporal dev server on ${address} (log: ${opts.logFile})`,
    async () => {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: opts.namespace });
        return true;
      } finally {
        await connection.close();
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
export async function ensureSearchAttributes(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = SEARCH_ATTRIBUTES.filter((name) => !(name in (existing.customAttributes ?? {})));
    if (missing.length === 0) return;
    const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map((name) => [name, keyword])) });
  } finally {
    await connection.close();
  }
}
