import type { WorkerProcess } from './infra';

/**
 * What the workers' /metrics endpoints (WORKER_METRICS_PORT) say about their workflow caches during
 * a phase: cache hits and misses of workflow tasks (a miss replays the workflow's history), replays,
 * and workflows evicted to make room, summed over the workers (the Temporal SDK's own runtime metrics).
 */
const CACHE_METRICS = { hits: 'temporal_sticky_cache_hit', misses: 'temporal_sticky_cache_miss', replays: 'temporal_workflow_task_replay_latency_count', evictions: 'temporal_sticky_cache_total_forced_eviction' } as const;

function sumOf(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return sum;
}

/** A series the SDK has not emitted yet counts 0 (e.g. no replay at all). */
export async function workflowCacheFigures(workers: readonly WorkerProcess[]): Promise<{ hits: number; misses: number; replays: number; evictions: number } | null> {
  const figures = { hits: 0, misses: 0, replays: 0, evictions: 0 };
  for (const w of workers) {
    if (!w.metricsUrl) return null;
    const text = await (await fetch(w.metricsUrl)).text();
    for (const [key, name] of Object.entries(CACHE_METRICS) as [keyof typeof figures, string][]) figures[key] += sumOf(text, name);
  }
  return figures;
}
