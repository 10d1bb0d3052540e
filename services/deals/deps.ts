import type { Client } from '@temporalio/client';
import type { Db } from '../../db/database';
import type { Clock } from '../../domain/clock';
import type { AppConfig } from '../../domain/config';
import type { TemporalLogger } from '../../temporal/logger';

/** What the deal services need: the database, and Temporal to wake deal automation after a commit. */
export interface DealDeps {
  db: Db;
  /** Absent: nothing is woken (tools, benchmarks). */
  temporal?: Client;
  config: Pick<AppConfig, 'TEMPORAL_TASK_QUEUE'>;
  log?: TemporalLogger;
  clock?: Clock;
}
