import type { WorkerMetrics } from '../../services/metrics/worker-metrics';
import type { GateResult, SendStepResult, StepRunResult } from './types';

/** What the enrollment activities count (no labels but outcomes and reason codes). */

export function countSend(metrics: WorkerMetrics | undefined, result: SendStepResult): void {
  if (!metrics) return;
  const code = result.kind === 'uncertain' ? 'SEND_UNCERTAIN' : result.kind === 'skipped' || result.kind === 'deferred' ? result.code : result.kind === 'blocked' || result.kind === 'hold' ? (result.codes[0] ?? 'none') : result.kind === 'ended' ? result.reason : 'none';
  metrics.sends.inc({ outcome: result.kind, code });
  if (result.kind === 'deferred') metrics.deferrals.inc({ code: result.code });
  if (result.kind === 'hold') for (const c of result.codes) metrics.holds.inc({ code: c });
}

export function countGate(metrics: WorkerMetrics | undefined, gate: GateResult): void {
  if (!metrics || gate.endedReason !== null || gate.end.length > 0) return;
  for (const code of gate.hold) metrics.holds.inc({ code });
  if (gate.hold.length === 0 && (gate.windowOpensAtMs !== null || gate.windowNeverOpens)) metrics.holds.inc({ code: 'OUTSIDE_SEND_WINDOW' });
}

/** A one-call step: its gate verdict, or its send. */
export function countStepRun(metrics: WorkerMetrics | undefined, run: StepRunResult): void {
  if (run.kind === 'gate') countGate(metrics, run.gate);
  else countSend(metrics, run.sent);
}
