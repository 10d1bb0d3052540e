import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { createApiMetrics } from '../../services/metrics/api-metrics';
import { createWorkerMetrics } from '../../services/metrics/worker-metrics';
import { STATE_METRICS } from '../../services/metrics/catalogue';
import type { Db } from '../../db/database';

/**
 * prometheus/alerts.yml: well-formed Prometheus rule groups, and every crm_* metric an expression uses
 * is one the code exports (API or worker registry; a histogram's _bucket/_count/_sum series count as
 * its own). A renamed metric fails here instead of silently never alerting.
 */
interface Rule {
  alert?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const file = path.join(__dirname, '../../prometheus/alerts.yml');
const rules = (parse(readFileSync(file, 'utf8')) as { groups: { name: string; rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

/** Metric names both registries declare (the worker's database gauges included, without a database behind them). */
async function exportedNames(): Promise<Set<string>> {
  const api = createApiMetrics();
  const worker = createWorkerMetrics({ db: {} as Db, stateMetrics: STATE_METRICS });
  const names = new Set<string>();
  for (const registry of [api.registry, worker.registry]) {
    for (const metric of registry.getMetricsAsArray()) {
      const { name, type } = metric as unknown as { name: string; type: string };
      names.add(name);
      if (type === 'histogram') for (const suffix of ['_bucket', '_count', '_sum']) names.add(`${name}${suffix}`);
    }
  }
  return names;
}

const metricsIn = (expr: string) => [...new Set(expr.match(/\bcrm_[a-z0-9_]+/g) ?? [])];

describe('prometheus/alerts.yml', () => {
  it('has the alerts the operations docs promise, each complete', () => {
    expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining(['PromotionStuck', 'ErasureOverdue', 'EmailSendFailures', 'SyncApiBudgetHigh']));
    for (const rule of rules) {
      expect(rule.alert).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(rule.expr?.trim()).toBeTruthy();
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(['page', 'warn']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toBeTruthy();
      expect(metricsIn(rule.expr!).length).toBeGreaterThan(0);
    }
  });

  it('uses only metrics the code exports', async () => {
    const exported = await exportedNames();
    const used = rules.flatMap((r) => metricsIn(r.expr!).map((m) => ({ alert: r.alert, metric: m })));
    expect(used.filter((u) => !exported.has(u.metric))).toEqual([]);
  });

  it('is what prometheus/prometheus.yml loads, and that scrapes the API and every worker of docker-compose.yml where they serve /metrics', () => {
    const prometheus = parse(readFileSync(path.join(__dirname, '../../prometheus/prometheus.yml'), 'utf8')) as { rule_files: string[]; scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }> };
    expect(prometheus.rule_files).toEqual([path.basename(file)]);
    const compose = parse(readFileSync(path.join(__dirname, '../../docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, { command?: string[]; environment?: Record<string, string> }> };
    const targets = (job: string) => prometheus.scrape_configs.find((c) => c.job_name === job)?.static_configs.flatMap((c) => c.targets) ?? [];
    const workers = Object.entries(compose.services).filter(([, s]) => s.command?.join(' ').includes('dist/worker/main.js'));
    expect(workers.length).toBeGreaterThan(0);
    expect(targets('crm-worker').sort()).toEqual(workers.map(([name, s]) => `${name}:${s.environment?.WORKER_METRICS_PORT}`).sort());
    for (const [, s] of workers) expect(s.environment?.WORKER_METRICS_HOST).toBe('0.0.0.0');
    expect(targets('crm-api')).toEqual([`api:${compose.services.api?.environment?.PORT}`]);
  });

  it('would notice a metric the code does not export', async () => {
    const exported = await exportedNames();
    expect(metricsIn('sum(rate(crm_emails_sent_total[5m]))').filter((m) => !exported.has(m))).toEqual(['crm_emails_sent_total']);
  });
});
