import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { ensureDatabase } from '../postgres-server';
import { TEMPORAL_DATABASES, type SqlTarget } from './temporal-config';

const run = promisify(execFile);

/** Connection settings for PostgreSQL as the server and the schema tool need them, from a postgres:// URL. */
export function sqlTargetFromUrl(url: string): SqlTarget {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

/** The same server and credentials, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function hasSchemaVersionTable(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query("select 1 from information_schema.tables where table_schema = 'public' and table_name = 'schema_version'");
    return (r.rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

/**
 * `temporal` and `temporal_visibility` with the schemas shipped in the server module: created once
 * (`setup-schema -v 0.0`), then `update-schema` on every start (a no-op when up to date, the
 * migration when the pinned version moves). The password reaches the tool through its environment.
 */
export async function ensureTemporalSchemas(opts: { sqlTool: string; schemaDir: string; adminUrl: string; log: (msg: string) => void }): Promise<void> {
  const target = sqlTargetFromUrl(opts.adminUrl);
  const env = { ...process.env, SQL_PLUGIN: 'postgres12', SQL_HOST: target.host, SQL_PORT: String(target.port), SQL_USER: target.user, SQL_PASSWORD: target.password };
  const tool = async (args: string[]) => {
    try {
      await run(opts.sqlTool, args, { env, timeout: 120_000 });
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(`temporal-sql-tool ${args.join(' ')} failed: ${(e.stderr || e.stdout || e.message).trim().split('\n').slice(-5).join('\n')}`);
    }
  };
  for (const [kind, database] of [['temporal', TEMPORAL_DATABASES.persistence], ['visibility', TEMPORAL_DATABASES.visibility]] as const) {
    await ensureDatabase(opts.adminUrl, database);
    if (!(await hasSchemaVersionTable(withDatabase(opts.adminUrl, database)))) {
      opts.log(`creating the ${database} schema`);
      await tool(['--db', database, 'setup-schema', '-v', '0.0']);
    }
    await tool(['--db', database, 'update-schema', '-d', path.join(opts.schemaDir, kind, 'versioned')]);
  }
}
