/**
 * Forecast benchmark: the forecast of one pipeline over BENCH_DEALS deals (default 1,000,000), as a
 * ratio to a bare `select sum(amount)` over the same rows, measured in the same run, alternating,
 * medians of several rounds. Target ≥ 0.5: the forecast (rules, stages, owners, currencies, the
 * left-out listing) costs at most twice the bare sum.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createDatabase, type Db } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { monthOf } from '../domain/deals/period';
import { freePort } from '../scripts/free-port';
import { ensureDatabase, startPostgres } from '../scripts/postgres-server';
import { resolvePostgresBinDir } from '../scripts/tool-binaries';
import { forecast } from '../services/deals/forecast';
import { createPipeline } from '../services/pipelines/pipelines';

export const FORECAST_TARGET = 0.5;

export interface ForecastBenchResult {
  deals: number;
  rounds: number;
  bareSumMs: number;
  forecastMs: number;
  ratio: { value: number; target: number; pass: boolean };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round2 = (n: number) => Math.round(n * 100) / 100;

/** 1,000,000 deals in one pipeline: 5 stages, 20 owners, 3 currencies, close dates over two years. */
async function seedDeals(db: Db, count: number): Promise<string> {
  const { pipeline, stages } = await createPipeline(db, {
    name: 'Bench',
    stages: [
      { name: 'Lead', probability: 10, kind: 'open' },
      { name: 'Cold', probability: 0, kind: 'open' },
      { name: 'Proposal', probability: 50, kind: 'open' },
      { name: 'Won', probability: 100, kind: 'won' },
      { name: 'Lost', probability: 0, kind: 'lost' },
    ],
  });
  const owners = await db.insertInto('users').values(Array.from({ length: 20 }, (_, i) => ({ name: `Bench owner ${i}`, role: 'rep' as const }))).returning('id').execute();
  const stageIds = sql.join(stages.map((s) => sql`${s.id}::uuid`));
  const kinds = sql.join(stages.map((s) => sql`${s.kind}`));
  const ownerIds = sql.join(owners.map((o) => sql`${o.id}::uuid`));
  await sql`
    insert into deals (name, pipeline_id, stage_id, status, amount, currency, expected_close_date, closed_on, owner_id, stage_changed_by)
    select 'Deal ' || g, ${pipeline.id}::uuid, (array[${stageIds}])[1 + g % 5], (array[${kinds}])[1 + g % 5],
           round((random() * 100000)::numeric, 2), (array['EUR', 'USD', 'GBP'])[1 + g % 3],
           current_date - 365 + (g % 730),
           case when g % 5 in (3, 4) then current_date - 365 + (g % 730) end,
           (array[${ownerIds}])[1 + g % 20], 'bench'
    from generate_series(1, ${count}) g`.execute(db);
  await sql`vacuum analyze deals`.execute(db);
  return pipeline.id;
}

export async function forecastVersusSum(db: Db, count: number, log: (msg: string) => void, rounds = 5): Promise<ForecastBenchResult> {
  log(`inserting ${count} deals`);
  const pipelineId = await seedDeals(db, count);
  const period = monthOf(Date.now());
  const bare = async () => {
    const t = performance.now();
    await sql`select sum(amount) from deals where pipeline_id = ${pipelineId}::uuid`.execute(db);
    return performance.now() - t;
  };
  const full = async () => {
    const t = performance.now();
    const f = await forecast(db, { pipelineId, ...period, leftOutLimit: 100 });
    if (f.leftOut.deals.length !== 100) throw new Error('the forecast listed no left-out deals');
    return performance.now() - t;
  };
  await bare();
  await full(); // warm caches and plans
  const sums: number[] = [];
  const forecasts: number[] = [];
  for (let i = 0; i < rounds; i++) {
    sums.push(await bare());
    forecasts.push(await full());
  }
  const bareSumMs = round2(median(sums));
  const forecastMs = round2(median(forecasts));
  const ratio = round2(bareSumMs / forecastMs);
  log(`bare sum ${bareSumMs} ms, forecast ${forecastMs} ms (medians of ${rounds})`);
  return { deals: count, rounds, bareSumMs, forecastMs, ratio: { value: ratio, target: FORECAST_TARGET, pass: ratio >= FORECAST_TARGET } };
}

/** `npm run bench -- --only=forecast`: only PostgreSQL is needed. */
export async function runForecastAlone(count: number, log: (msg: string) => void): Promise<ForecastBenchResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crm-bench-forecast-'));
  const port = await freePort();
  log(`starting PostgreSQL :${port} (${dir})`);
  const pg = await startPostgres({ binDir: resolvePostgresBinDir(process.env.PG_BIN_DIR), dataDir: path.join(dir, 'pg'), port, password: 'bench-only', logFile: path.join(dir, 'postgres.log'), ephemeral: true });
  try {
    await ensureDatabase(pg.url('postgres'), 'bench');
    const db = createDatabase(pg.url('bench'), { max: 4 });
    try {
      await migrateToLatest(db);
      return await forecastVersusSum(db, count, log);
    } finally {
      await db.destroy();
    }
  } finally {
    await pg.stop();
    if (!process.env.KEEP_BENCH_DATA) rmSync(dir, { recursive: true, force: true });
  }
}
