import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { harnessEnv } from './harness-env';
import { installQuietRuntime } from './temporal';

/**
 * Replay-test harness. Tests record the history of a finished workflow to test/histories/ (only
 * when the file is missing, or with RECORD_HISTORIES=1); every recorded history is replayed
 * against the current workflow bundle (test/replay), so a change that would break running
 * executions fails until it is guarded with patched().
 */
export const HISTORIES_DIR = path.join(__dirname, '../histories');

export async function recordHistory(name: string, handle: WorkflowHandle): Promise<boolean> {
  const file = path.join(HISTORIES_DIR, `${name}.json`);
  if (existsSync(file) && process.env.RECORD_HISTORIES !== '1') return false;
  const history = await handle.fetchHistory();
  mkdirSync(HISTORIES_DIR, { recursive: true });
  writeFileSync(file, `${JSON.stringify(temporal.api.history.v1.History.toObject(history as temporal.api.history.v1.History, { longs: String, enums: String, bytes: String }), null, 1)}\n`);
  return true;
}

export function recordedHistories(): string[] {
  if (!existsSync(HISTORIES_DIR)) return [];
  return readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
}

export function loadHistory(name: string): temporal.api.history.v1.History {
  const raw = JSON.parse(readFileSync(path.join(HISTORIES_DIR, `${name}.json`), 'utf8')) as Record<string, unknown>;
  return temporal.api.history.v1.History.fromObject(raw);
}

/** Replays one history against the bundle built from the current workflow code; throws on non-determinism. */
export async function replayAgainstCurrentCode(name: string): Promise<void> {
  installQuietRuntime();
  await Worker.runReplayHistory({ workflowBundle: { codePath: harnessEnv('WORKFLOW_BUNDLE_PATH') } }, loadHistory(name), `replay-${name}`);
}
