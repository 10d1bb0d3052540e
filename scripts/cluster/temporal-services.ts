import { Connection } from '@temporalio/client';
import net from 'node:net';
import path from 'node:path';
import { Client } from 'pg';
import { spawnManaged, waitFor, type ManagedProcess } from '../managed-process';
import type { TemporalInstance } from './temporal-config';

/** One Temporal server process (`temporal-server start --service <s>`), from the config written for it. */
export async function launchTemporalInstance(opts: { serverBin: string; runDir: string; instance: TemporalInstance; logDir: string; detached?: boolean }): Promise<ManagedProcess> {
  const { instance } = opts;
  const logFile = path.join(opts.logDir, `temporal-${instance.id}.log`);
  // --config is relative to --root (the server joins the two).
  const args = ['--root', opts.runDir, '--config', 'config', '--env', instance.id, '--allow-no-auth', 'start', '--service', instance.service];
  const proc = spawnManaged(`temporal-${instance.id}`, opts.serverBin, args, { cwd: opts.runDir, logFile, stopSignal: 'SIGTERM', detached: opts.detached });
  // The internal worker service serves no gRPC; its membership (ringpop) port says it is up.
  const port = instance.service === 'worker' ? instance.ports.membership : instance.ports.grpc;
  await waitFor(`Temporal ${instance.id} on 127.0.0.1:${port} (log: ${logFile})`, () => portAccepts(port), { timeoutMs: 60_000, intervalMs: 100, exited: proc.exited });
  return proc;
}

export function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * On a fresh database every service process tries to insert the cluster metadata, and the losers
 * die on the duplicate key: the first process starts alone until the row is there.
 */
export function waitForClusterMetadata(temporalDbUrl: string, proc: ManagedProcess): Promise<void> {
  return waitFor(
    'Temporal cluster metadata',
    async () => {
      const client = new Client({ connectionString: temporalDbUrl });
      await client.connect();
      try {
        const r = await client.query<{ n: string }>('select count(*) as n from cluster_metadata_info');
        return Number(r.rows[0]?.n ?? 0) > 0;
      } finally {
        await client.end();
      }
    },
    { timeoutMs: 60_000, intervalMs: 200, exited: proc.exited },
  );
}

/** The frontend answers and the system namespace is readable (history and matching have joined). */
export async function waitForFrontend(address: string, proc: ManagedProcess, timeoutMs = 90_000): Promise<void> {
  await waitFor(
    `Temporal frontend ${address}`,
    async () => {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.withDeadline(Date.now() + 3_000, () => connection.workflowService.describeNamespace({ namespace: 'temporal-system' }));
        return true;
      } finally {
        await connection.close();
      }
    },
    { timeoutMs, intervalMs: 250, exited: proc.exited },
  );
}
