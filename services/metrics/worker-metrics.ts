import { Counter, type Registry } from 'prom-client';
import type { Db } from '../../db/database';
import { systemClock, type Clock } from '../../domain/clock';
import { STATE_METRICS } from './catalogue';
import { createRegistry, type RegistryOptions } from './registry';
import { registerStateMetrics, type StateMetric } from './state-metrics';

/**
 * A worker's own metrics (the Temporal SDK's are exported beside them, see worker/metrics-server.ts):
 * counters of what this process did, and the database-backed gauges of STATE_METRICS.
 */
export interface WorkerMetrics {
  registry: Registry;
  /** Every send attempt's outcome (sent, uncertain, blocked, skipped, ended, hold, deferred) and its reason code (`none` when it has none). */
  sends: Counter<'outcome' | 'code'>;
  /** Send attempts put off to later by a sending limit or an unreachable mailbox. */
  deferrals: Counter<'code'>;
  /** Holds met by a gate check or a claim (sequence paused, mailbox disconnected, outside the send window, …). */
  holds: Counter<'code'>;
}

export function createWorkerMetrics(opts: RegistryOptions & { db?: Db; clock?: Clock; stateMetrics?: readonly StateMetric[] } = {}): WorkerMetrics {
  const registry = createRegistry('worker', { processMetrics: opts.processMetrics });
  if (opts.db) registerStateMetrics(registry, opts.db, opts.clock ?? systemClock, opts.stateMetrics ?? STATE_METRICS);
  return {
    registry,
    sends: new Counter({ name: 'crm_email_sends_total', help: 'Email send attempts by outcome and reason code.', labelNames: ['outcome', 'code'], registers: [registry] }),
    deferrals: new Counter({ name: 'crm_email_deferrals_total', help: 'Sends deferred (sending limits, mailbox unreachable or its credentials unreadable), by reason code.', labelNames: ['code'], registers: [registry] }),
    holds: new Counter({ name: 'crm_enrollment_holds_total', help: 'Holds met before a send (gate checks and claims), by reason code.', labelNames: ['code'], registers: [registry] }),
  };
}
