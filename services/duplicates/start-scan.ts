import type { Client } from '@temporalio/client';
import type { Db } from '../../db/database';
import type { DedupScanRow } from '../../db/schema-duplicates-import';
import type { AppConfig } from '../../domain/config';
import { startDedupScanWorkflow } from '../../temporal/dedup-workflows';
import type { Actor } from '../actor';
import { beginScan, failScan } from './scans';

/** `POST /v1/duplicates/scan`: a new scan (its workflow started), or the one already running. */
export async function startDuplicateScan(deps: { db: Db; temporal: Client; config: AppConfig }, actor: Actor): Promise<{ scan: DedupScanRow; started: boolean }> {
  const begun = await beginScan(deps.db, 'api', actor.userId);
  if (!begun.started) return begun;
  try {
    await startDedupScanWorkflow(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE, begun.scan.id);
  } catch (err) {
    await failScan(deps.db, begun.scan.id, 'TEMPORAL_UNAVAILABLE');
    throw err;
  }
  return begun;
}
