/**
 * Issue 12's benchmarks: CSV import vs raw COPY of the same rows, the duplicate scan vs a naive
 * all-pairs check, and the scan's precision / recall on a labelled data set.
 */
import type { FastifyInstance } from 'fastify';
import { createReadStream, createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { poolOf, type Db } from '../db/database';
import { compareNames, normalizeName } from '../domain/duplicates/name-match';
import { normalizeEmail } from '../domain/email-address';
import { openCopyWriter } from '../db/copy-writer';
import { addressesConflict } from '../domain/duplicates/address-evidence';
import { findCandidates } from '../services/duplicates/candidates';
import { storeCandidates } from '../services/duplicates/scans';
import { generateLabelledContacts, truePairs } from './dedup-dataset';
import { freshDatabase, type BenchInfra } from './infra';
import { round } from './phases';

const CONTACT_COLUMNS = 'email, email_normalized, first_name, last_name, time_zone, consent, company_id';

async function writeCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('email,firstName,lastName,timeZone,consent\n');
  for (let i = 0; i < rows; i++) {
    if (!out.write(`person${i}@import.example,First${i % 997},Last${i % 1009},Europe/Berlin,opted_in\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

export interface ImportRound {
  rawCopySeconds: number;
  importSeconds: number;
  uploadSeconds: number;
  ratio: number;
}

/** The median round (by ratio) in the top-level fields, every round in `rounds`. */
export interface ImportBench extends ImportRound {
  rows: number;
  rounds: ImportRound[];
}

/**
 * Raw COPY: the same rows, pre-converted to COPY text (email normalised), straight into `contacts` of an
 * empty database. Import: the CSV file uploaded to the API (streamed), staged, and applied by the
 * import workflow on a worker process, until the status says completed, into another empty database.
 * Each round measures one of each, back to back, so both see the same load on a shared machine; the
 * median round's ratio is reported.
 */
export async function importVersusCopy(infra: BenchInfra, app: (db: Db, url: string) => Promise<{ app: FastifyInstance; key: string; baseUrl: string; close(): Promise<void> }>, rows: number, rounds: number, log: (m: string) => void): Promise<ImportBench> {
  const file = path.join(infra.dir, `import-${rows}.csv`);
  await writeCsv(file, rows);
  const values = Array.from({ length: rows }, (_, i) => [`person${i}@import.example`, normalizeEmail(`person${i}@import.example`), `First${i % 997}`, `Last${i % 1009}`, 'Europe/Berlin', 'opted_in', null]);
  const measured: ImportRound[] = [];
  for (let r = 0; r < rounds; r++) {
    const rawCopySeconds = await rawCopy(infra, `bench_copy_${r}`, values);
    const imported = await importFile(infra, app, `bench_import_${r}`, file, rows);
    const result = { rawCopySeconds: round(rawCopySeconds, 2), importSeconds: round(imported.importSeconds, 2), uploadSeconds: round(imported.uploadSeconds, 2), ratio: round(rawCopySeconds / imported.importSeconds, 2) };
    log(`  round ${r + 1}: raw COPY ${result.rawCopySeconds} s, import ${result.importSeconds} s (upload + staging ${result.uploadSeconds} s), ratio ${result.ratio}`);
    measured.push(result);
  }
  const median = [...measured].sort((a, b) => a.ratio - b.ratio)[Math.floor(measured.length / 2)]!;
  return { rows, ...median, rounds: measured };
}

async function rawCopy(infra: BenchInfra, name: string, values: (string | null)[][]): Promise<number> {
  const copyDb = await freshDatabase(infra, name);
  try {
    const t = performance.now();
    const copy = await openCopyWriter(poolOf(copyDb.db), `COPY contacts (${CONTACT_COLUMNS}) FROM STDIN`);
    for (const v of values) await copy.write(v);
    await copy.finish();
    return (performance.now() - t) / 1000;
  } finally {
    await copyDb.db.destroy();
  }
}

async function importFile(infra: BenchInfra, app: (db: Db, url: string) => Promise<{ key: string; baseUrl: string; close(): Promise<void> }>, name: string, file: string, rows: number): Promise<{ importSeconds: number; uploadSeconds: number }> {
  const importDb = await freshDatabase(infra, name);
  const api = await app(importDb.db, importDb.url);
  try {
    const t = performance.now();
    const res = await fetch(`${api.baseUrl}/v1/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.key}`, 'content-type': 'text/csv' },
      body: Readable.toWeb(createReadStream(file)) as unknown as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    const body = (await res.json()) as { id: string };
    if (res.status !== 202) throw new Error(`import upload → ${res.status}: ${JSON.stringify(body)}`);
    const uploadSeconds = (performance.now() - t) / 1000;
    for (;;) {
      const s = (await (await fetch(`${api.baseUrl}/v1/imports/${body.id}`, { headers: { authorization: `Bearer ${api.key}` } })).json()) as { status: string; progress: { created: number } };
      if (s.status === 'completed') {
        if (s.progress.created !== rows) throw new Error(`import created ${s.progress.created} of ${rows}`);
        break;
      }
      if (s.status === 'failed' || s.status === 'cancelled') throw new Error(`import ${s.status}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return { importSeconds: (performance.now() - t) / 1000, uploadSeconds };
  } finally {
    await api.close();
    await importDb.db.destroy();
  }
}

export interface DedupBench {
  contacts: number;
  scanSeconds: number;
  comparisons: number;
  naiveSampleContacts: number;
  naiveSampleSeconds: number;
  naiveExtrapolatedSeconds: number;
  speedup: number;
  precision: number;
  recall: number;
  truePairs: number;
  foundPairs: number;
}

async function loadLabelled(db: Db, total: number): Promise<{ id: string; person: number }[]> {
  const records = generateLabelledContacts(total);
  const companies = new Set(records.flatMap((r) => (r.company === null ? [] : [r.company])));
  const companyIds = new Map<number, string>();
  for (const c of companies) companyIds.set(c, (await db.insertInto('companies').values({ name: `Company ${c}`, external_ids: '{}' }).returning('id').executeTakeFirstOrThrow()).id);
  const ids: { id: string; person: number }[] = [];
  for (let i = 0; i < records.length; i += 5000) {
    const batch = records.slice(i, i + 5000);
    const rows = await db
      .insertInto('contacts')
      .values(batch.map((r) => ({ email: r.email, email_normalized: r.email ? normalizeEmail(r.email) : null, first_name: r.firstName, last_name: r.lastName, company_id: r.company === null ? null : companyIds.get(r.company)!, external_ids: '{}' })))
      .returning('id')
      .execute();
    rows.forEach((row, k) => ids.push({ id: row.id, person: batch[k]!.person }));
  }
  return ids;
}

/** The naive check the scan replaces: every pair, the same rules (same address, or close names in one company). */
async function naiveAllPairs(db: Db, maxDistance: number): Promise<{ seconds: number; contacts: number }> {
  const t = performance.now();
  const rows = await db.selectFrom('contacts').select(['id', 'email_normalized', 'first_name', 'last_name', 'company_id']).execute();
  const keyed = rows.map((r) => ({ ...r, name: normalizeName(r.first_name, r.last_name) }));
  let found = 0;
  for (let i = 0; i < keyed.length; i++) {
    const a = keyed[i]!;
    for (let j = i + 1; j < keyed.length; j++) {
      const b = keyed[j]!;
      if (a.email_normalized !== null && a.email_normalized === b.email_normalized) found++;
      else if (a.company_id === b.company_id && !addressesConflict(a.company_id, a.email_normalized, b.email_normalized) && compareNames(a.name, b.name, maxDistance)) found++;
    }
  }
  if (found < 0) throw new Error('unreachable');
  return { seconds: (performance.now() - t) / 1000, contacts: rows.length };
}

export async function dedupScan(infra: BenchInfra, contacts: number, naiveSample: number, maxDistance: number, log: (m: string) => void): Promise<DedupBench> {
  const big = await freshDatabase(infra, 'bench_dedup');
  const small = await freshDatabase(infra, 'bench_dedup_naive');
  try {
    log(`  loading ${contacts} labelled contacts`);
    const ids = await loadLabelled(big.db, contacts);
    await loadLabelled(small.db, naiveSample);
    let t = performance.now();
    const search = await findCandidates(big.db, { maxDistance });
    await storeCandidates(big.db, '00000000-0000-4000-8000-000000000001', search.candidates.values());
    const scanSeconds = (performance.now() - t) / 1000;
    log(`  scan of ${contacts}: ${round(scanSeconds, 2)} s, ${search.comparisons} name comparisons, ${search.candidates.size} pairs`);
    t = performance.now();
    const naive = await naiveAllPairs(small.db, maxDistance);
    const extrapolated = naive.seconds * (contacts / naive.contacts) ** 2;
    log(`  naive all-pairs on ${naive.contacts}: ${round(naive.seconds, 2)} s → ${round(extrapolated)} s extrapolated to ${contacts}`);

    const truth = truePairs(ids);
    const found = new Set([...search.candidates.keys()]);
    const hits = [...found].filter((p) => truth.has(p)).length;
    return {
      contacts,
      scanSeconds: round(scanSeconds, 2),
      comparisons: search.comparisons,
      naiveSampleContacts: naive.contacts,
      naiveSampleSeconds: round(naive.seconds, 2),
      naiveExtrapolatedSeconds: round(extrapolated),
      speedup: round(extrapolated / scanSeconds),
      precision: round(hits / found.size, 3),
      recall: round(hits / truth.size, 3),
      truePairs: truth.size,
      foundPairs: found.size,
    };
  } finally {
    await big.db.destroy();
    await small.db.destroy();
  }
}

export function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}
