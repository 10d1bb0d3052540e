import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FAILURE_CONVERTER_PATH } from '../../temporal/data-converter';
import { harnessEnv } from './harness-env';
import { installQuietRuntime } from './temporal';

/**
 * Replay-test harness. Committed histories (test/histories/) are replayed against the workflow bundle
 * built from today's code (test/replay), so a change that would break running executions fails until
 * it is guarded with patched(). `npm test` never writes a history: recording is explicit,
 * `npm run record-histories` (RECORD_HISTORIES=1; it adds missing files and never overwrites one).
 */
export const HISTORIES_DIR = path.join(__dirname, '../histories');

/** Every history the suite expects to find committed; a missing one fails the replay test. */
export const RECORDED_HISTORIES = ['enrollment-holds', 'enrollment-ended-by-rule', 'promotion-happy', 'reconciler-loop', 'deal-automation-inactivity', 'import-small', 'merge-conflicting-enrollments', 'erasure-happy', 'crm-sync-cadence', 'enrollment-local-reads', 'enrollment-local-reads-upgrade', 'enrollment-local-steps', 'enrollment-local-steps-upgrade', 'crm-sync-two-way', 'enrollment-one-call', 'enrollment-one-call-upgrade'] as const;
export type RecordedHistoryName = (typeof RECORDED_HISTORIES)[number];

export const historyFile = (name: string) => path.join(HISTORIES_DIR, `${name}.json`);

/** Writes the finished workflow's history, only under `npm run record-histories` and only if it is missing. */
export async function recordHistory(name: RecordedHistoryName, handle: WorkflowHandle): Promise<boolean> {
  if (process.env.RECORD_HISTORIES !== '1' || existsSync(historyFile(name))) return false;
  const history = await handle.fetchHistory();
  mkdirSync(HISTORIES_DIR, { recursive: true });
  writeFileSync(historyFile(name), `${JSON.stringify(temporal.api.history.v1.History.toObject(history as temporal.api.history.v1.History, { longs: String, enums: String, bytes: String }), null, 1)}\n`);
  return true;
}

/** The .json files actually in test/histories/. */
export function committedHistoryFiles(): string[] {
  if (!existsSync(HISTORIES_DIR)) return [];
  return readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
}

export function loadHistory(name: string): temporal.api.history.v1.History {
  const raw = JSON.parse(readFileSync(historyFile(name), 'utf8')) as Record<string, unknown>;
  return temporal.api.history.v1.History.fromObject(raw);
}

/** Replays one history against a workflow bundle (default: today's code); throws on non-determinism. */
export async function replayAgainstCurrentCode(name: string, bundlePath = harnessEnv('WORKFLOW_BUNDLE_PATH')): Promise<void> {
  installQuietRuntime();
  await Worker.runReplayHistory({ workflowBundle: { codePath: bundlePath } }, loadHistory(name), `replay-${name}`);
}

/** Bundles workflow code from another entry file (e.g. a deliberately changed workflow for the negative replay test). */
export async function bundleWorkflowsFrom(workflowsPath: string): Promise<{ code: string }> {
  return bundleWorkflowCode({ workflowsPath, failureConverterPath: FAILURE_CONVERTER_PATH, logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } });
}

/** Replays a history against an in-memory bundle. */
export async function replayAgainstBundle(name: string, bundle: { code: string }): Promise<void> {
  installQuietRuntime();
  await Worker.runReplayHistory({ workflowBundle: bundle }, loadHistory(name), `replay-${name}`);
}
