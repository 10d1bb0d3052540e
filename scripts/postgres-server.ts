import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { spawnManaged, waitFor, type ManagedProcess } from './managed-process';
import { postgresDataLocation } from './postgres-data-location';

/**
 * A private PostgreSQL cluster on a data dir and port of our own, bound to 127.0.0.1 only.
 * PostgreSQL refuses to run as root, so as root we drop to the 'postgres' system user.
 */
export interface PostgresServer {
  url: (database: string) => string;
  /** Where the data really is (see postgres-data-location.ts: moved when root's postgres user cannot reach the requested folder). */
  dataDir: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  binDir: string;
  dataDir: string;
  port: number;
  password: string;
  logFile: string;
  detached?: boolean;
  /** Trade durability for speed (tests). */
  ephemeral?: boolean;
}

const SUPERUSER = 'crm';

function runAsUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    throw new Error('Running as root, and there is no "postgres" system user to run PostgreSQL as. Run as a normal user or set DATABASE_URL.');
  }
}

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) chownTree(full, uid, gid);
    else chownSync(full, uid, gid);
  }
}

export async function startPostgres(requested: StartPostgresOptions): Promise<PostgresServer> {
  const user = runAsUser();
  if (user) {
    // The postgres user must be able to reach its data dir through the folder we made for it.
    mkdirSync(path.dirname(requested.dataDir), { recursive: true });
    const parent = path.dirname(requested.dataDir);
    if ((statSync(parent).mode & 0o001) === 0) chmodSync(parent, 0o755);
  }
  const { dataDir } = postgresDataLocation(requested.dataDir, user);
  const opts = { ...requested, dataDir };
  const fresh = !existsSync(path.join(opts.dataDir, 'PG_VERSION'));
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  if (user) chownTree(opts.dataDir, user.uid, user.gid);
  if (fresh) {
    const pwFile = path.join(os.tmpdir(), `crm-pg-pw-${process.pid}-${Date.now()}`);
    writeFileSync(pwFile, `${opts.password}\n`, { mode: 0o644 });
    try {
      execFileSync(path.join(opts.binDir, 'initdb'), ['-D', opts.dataDir, '-U', SUPERUSER, '--pwfile', pwFile, '--auth-local=scram-sha-256', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-instructions'], {
        stdio: ['ignore', 'ignore', 'pipe'],
        ...(user ?? {}),
      });
    } finally {
      rmSync(pwFile, { force: true });
    }
  }
  const args = ['-D', opts.dataDir, '-p', String(opts.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
  if (opts.ephemeral) args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  // SIGINT is PostgreSQL's "fast" shutdown: rolls back open transactions, stops promptly.
  const proc = spawnManaged('postgres', path.join(opts.binDir, 'postgres'), args, { logFile: opts.logFile, stopSignal: 'SIGINT', detached: opts.detached, ...(user ?? {}) });
  const url = (database: string) => `postgres://${SUPERUSER}:${encodeURIComponent(opts.password)}@127.0.0.1:${opts.port}/${database}`;
  await waitFor(
    `PostgreSQL on port ${opts.port} (log: ${opts.logFile})`,
    async () => {
      const client = new Client({ connectionString: url('postgres') });
      try {
        await client.connect();
        await client.query('select 1');
        return true;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    { timeoutMs: 60_000, exited: proc.exited },
  );
  return { url, dataDir: opts.dataDir, process: proc, stop: () => proc.stop({ graceMs: 10_000 }) };
}

/** CREATE DATABASE if it does not exist (optionally from a template). */
export async function ensureDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name ${name}`);
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`create database ${name}${template ? ` template ${template}` : ''}`);
  } finally {
    await client.end();
  }
}
