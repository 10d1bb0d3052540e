/**
 * What the erasure activities share: the database, the Books and PSA clients (resolved on first use),
 * the Temporal client (stop_sequences, verify), the sealed subject, and the step recorder that keeps
 * `erasure_requests.steps` true. Every activity is idempotent: a retried or replayed step finds its
 * own earlier writes and does not do its work twice.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/database';
import { requireErasureRequest, stepOf, updateErasureStep } from '../../db/erasure-requests';
import type { ErasureRequestRow } from '../../db/schema-erasure';
import type { Clock } from '../../domain/clock';
import { requireSetting, type AppConfig } from '../../domain/config';
import type { ErasureStepName } from '../../domain/erasure/vocabulary';
import type { ReasonCode } from '../../domain/reason-codes';
import type { BooksClient } from '../../integrations/books/client';
import type { PsaClient } from '../../integrations/psa/client';
import { openSubject, type ErasureSubject } from '../../services/erasure/subject';
import { rememberPersonalData } from '../scrub/personal-data-registry';

export interface ErasureDeps {
  db: Db;
  config: AppConfig;
  temporal: () => Client;
  books: () => BooksClient;
  psa: () => PsaClient;
  now: Clock;
  /** Options of the CRM clients CRM sync builds (tests shorten timeouts and sleeps). */
  crmClient?: { sleep?: (ms: number) => Promise<void>; requestTimeoutMs?: number };
}

export interface StepInput {
  requestId: string;
}

/** A failure the workflow reports as is: its type is the reason code. */
export const stepFailure = (code: ReasonCode, message: string, retryable = false) => (retryable ? ApplicationFailure.retryable(message, code) : ApplicationFailure.nonRetryable(message, code));

/** The subject's addresses and names, registered for failure scrubbing as soon as they are read. */
export function subjectOf(deps: ErasureDeps, row: ErasureRequestRow): ErasureSubject {
  const subject = openSubject(requireSetting(deps.config, 'SECRETS_KEY'), row.subject_sealed);
  rememberPersonalData(...subject.addresses, ...subject.names);
  return subject;
}

export function stepRecorder(deps: ErasureDeps, requestId: string, step: ErasureStepName) {
  const at = () => new Date(deps.now()).toISOString();
  return {
    /** The request row; `done` when this step already completed (a retry or a replayed activity: do nothing again). */
    async begin(): Promise<{ row: ErasureRequestRow; done: boolean }> {
      const row = await requireErasureRequest(deps.db, requestId);
      const current = stepOf(row, step);
      if (current.status === 'completed') return { row, done: true };
      if (current.status === 'pending') return { row: await updateErasureStep(deps.db, requestId, step, { status: 'running', startedAt: at() }), done: false };
      return { row, done: false };
    },
    progress: (patch: { status?: 'running' | 'waiting'; code?: string; detail?: string }) => updateErasureStep(deps.db, requestId, step, { code: undefined, ...patch }),
    completed: (detail: string, code?: ReasonCode) => updateErasureStep(deps.db, requestId, step, { status: 'completed', endedAt: at(), detail, code }),
  };
}
