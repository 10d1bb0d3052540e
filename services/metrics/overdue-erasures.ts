import { sql } from 'kysely';
import type { Db } from '../../db/database';
import type { StateMetric } from './state-metrics';

/**
 * Seam for the erasure feature (branch `erasure`, being built in parallel): it provides
 * `countOverdueErasures(db, now)` (requests past their one-month due date, extensions included).
 * At merge, point `countOverdue` below at it. Until then there is no erasure table and nothing is
 * overdue; once the table exists but this is not wired, the read fails loudly
 * (crm_state_metric_errors_total{metric="crm_erasures_overdue"}) instead of reporting a false 0.
 */
const ERASURE_TABLE = 'erasure_requests';

async function countOverdue(db: Db, _now: Date): Promise<number> {
  const { rows } = await sql<{ present: boolean }>`select to_regclass(${ERASURE_TABLE}) is not null as present`.execute(db);
  if (!rows[0]?.present) return 0;
  throw new Error(`${ERASURE_TABLE} exists: point services/metrics/overdue-erasures.ts at the erasure service's countOverdueErasures`);
}

export const overdueErasures: StateMetric<never> = {
  name: 'crm_erasures_overdue',
  help: 'GDPR erasure requests past their due date and not completed.',
  labelNames: [],
  async read(db, nowMs) {
    return [{ labels: {}, value: await countOverdue(db, new Date(nowMs)) }];
  },
};
