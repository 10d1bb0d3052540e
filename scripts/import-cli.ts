/**
 * `npm run import -- <file.csv> [--on-existing=update|skip] [--dry-run] [--map field=Header …]`:
 * a small client of the API. Streams the file to POST /v1/imports, shows a progress bar while the
 * import-<id> workflow applies it, prints the summary, and saves the error report next to the file.
 * API: CRM_API_URL (default http://localhost:$PORT), key: CRM_API_KEY (default the rep key of
 * $DATA_DIR/dev-api-keys.json, as written by `npm start`).
 */
import { SingleBar } from 'cli-progress';
import { createReadStream, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';

interface ImportStatus {
  id: string;
  status: string;
  code: string | null;
  message: string | null;
  progress: { total: number; processed: number; created: number; updated: number; unchanged: number; skipped: number; failed: number; rowsPerSecond: number | null; etaSeconds: number | null };
  errorReport: { csv: string };
}

export function parseArgs(argv: string[]): { file: string; query: URLSearchParams } {
  const query = new URLSearchParams();
  const mapping: Record<string, string> = {};
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--dry-run') query.set('dryRun', 'true');
    else if (arg.startsWith('--on-existing=')) query.set('onExisting', arg.slice('--on-existing='.length));
    else if (arg === '--map' || arg.startsWith('--map=')) {
      const spec = arg === '--map' ? argv[++i] ?? '' : arg.slice('--map='.length);
      const [field, ...header] = spec.split('=');
      mapping[field!] = header.join('=');
    } else if (!arg.startsWith('--')) file = arg;
    else throw new Error(`unknown option ${arg}`);
  }
  if (!file) throw new Error('usage: npm run import -- <file.csv> [--on-existing=update|skip] [--dry-run] [--map field=Header]');
  if (Object.keys(mapping).length > 0) query.set('mapping', JSON.stringify(mapping));
  return { file, query };
}

function apiKey(): string {
  if (process.env.CRM_API_KEY) return process.env.CRM_API_KEY;
  const keys = path.resolve(process.env.DATA_DIR ?? '.data', 'dev-api-keys.json');
  if (!existsSync(keys)) throw new Error(`Set CRM_API_KEY (no ${keys} found: is npm start running here?)`);
  return (JSON.parse(readFileSync(keys, 'utf8')) as { rep: string }).rep;
}

async function main(): Promise<void> {
  const { file, query } = parseArgs(process.argv.slice(2));
  const base = process.env.CRM_API_URL ?? `http://localhost:${process.env.PORT ?? 3000}`;
  const headers = { authorization: `Bearer ${apiKey()}` };
  const size = statSync(file).size;
  console.log(`Uploading ${file} (${(size / 1024 / 1024).toFixed(1)} MB) to ${base} …`);
  const res = await fetch(`${base}/v1/imports?${query.toString()}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'text/csv' },
    body: Readable.toWeb(createReadStream(file)) as unknown as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  const started = (await res.json()) as ImportStatus & { error?: { code: string; message: string; details: { path: string; problem: string }[] } };
  if (res.status !== 202) {
    console.error(`Refused (${res.status} ${started.error?.code}): ${started.error?.message}`);
    for (const d of started.error?.details ?? []) console.error(`  ${d.path}: ${d.problem}`);
    process.exit(1);
  }
  const bar = new SingleBar({ format: 'Importing [{bar}] {percentage}% | {value}/{total} rows | {rate} rows/s | ETA {eta_s}s', hideCursor: true });
  bar.start(started.progress.total, 0, { rate: 0 });
  let status = started;
  while (!['completed', 'cancelled', 'failed'].includes(status.status)) {
    await new Promise((r) => setTimeout(r, 500));
    status = (await (await fetch(`${base}/v1/imports/${started.id}`, { headers })).json()) as ImportStatus;
    bar.update(status.progress.processed, { rate: status.progress.rowsPerSecond ?? 0 });
  }
  bar.stop();
  const p = status.progress;
  console.log(`Import ${status.id}: ${status.status}${status.code ? ` (${status.code}: ${status.message})` : ''}`);
  console.log(`  rows ${p.total}: ${p.created} created, ${p.updated} updated, ${p.unchanged} unchanged, ${p.skipped} skipped, ${p.failed} failed`);
  if (p.failed > 0) {
    const report = `${file.replace(/\.csv$/i, '')}.errors.csv`;
    writeFileSync(report, Buffer.from(await (await fetch(`${base}${status.errorReport.csv}`, { headers })).arrayBuffer()));
    console.log(`  error report: ${report} (also at ${base}${status.errorReport.csv})`);
  }
  if (status.status !== 'completed') process.exit(2);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
