import { Counter, Gauge, type Registry } from 'prom-client';
import type { Db } from '../../db/database';

/**
 * Gauges of what the database says now (promotions in progress, enrollments on hold, overdue
 * erasures, sync budget), read at scrape time. Every worker exports the same values: aggregate them
 * with max(), not sum(). Features add theirs to STATE_METRICS (services/metrics/catalogue.ts).
 */
export interface StateSample<L extends string> {
  labels: Partial<Record<L, string>>;
  value: number;
}

export interface StateMetric<L extends string = string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  read(db: Db, nowMs: number): Promise<StateSample<L>[]>;
}

/** A slow database must not hang the scrape: a read that takes longer reports nothing this time. */
const READ_TIMEOUT_MS = 5_000;

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function registerStateMetrics(registry: Registry, db: Db, clock: () => number, metrics: readonly StateMetric[]): { errors: Counter<'metric'> } {
  const errors = new Counter({ name: 'crm_state_metric_errors_total', help: 'Scrapes in which a database-backed gauge could not be read (it then reports no value).', labelNames: ['metric'], registers: [registry] });
  for (const metric of metrics) {
    new Gauge({
      name: metric.name,
      help: metric.help,
      labelNames: [...metric.labelNames],
      registers: [registry],
      async collect() {
        this.reset();
        try {
          for (const sample of await within(metric.read(db, clock()), READ_TIMEOUT_MS)) this.set(sample.labels, sample.value);
        } catch {
          errors.inc({ metric: metric.name });
        }
      },
    });
  }
  return { errors };
}
