/**
 * GDPR erasure vocabularies (issue 9). SQL CHECK constraints (migrations/0040_erasure.ts) allow exactly
 * these values; test/db/vocabulary-constraints.test.ts holds the two together.
 */
import { z } from 'zod';

/** running: steps in progress; waiting: a system is unreachable and retried with backoff; completed / failed: final. */
export const ERASURE_STATUSES = ['running', 'waiting', 'completed', 'failed'] as const;
export type ErasureStatus = (typeof ERASURE_STATUSES)[number];
export const erasureStatus = z.enum(ERASURE_STATUSES);
/** A request in one of these is live: the same subject gets it back instead of a second workflow. */
export const LIVE_ERASURE_STATUSES = ['running', 'waiting'] as const satisfies readonly ErasureStatus[];

/** The eight persisted steps, in order. */
export const ERASURE_STEPS = ['locate', 'stop_sequences', 'check_books', 'erase_crm', 'suppress', 'propagate', 'verify', 'receipt'] as const;
export type ErasureStepName = (typeof ERASURE_STEPS)[number];

export const ERASURE_STEP_STATUSES = ['pending', 'running', 'waiting', 'completed', 'failed'] as const;
export type ErasureStepStatus = (typeof ERASURE_STEP_STATUSES)[number];

/** Where the subject's data lives: the CRM itself and the systems erasure propagates to. */
export const ERASURE_SYSTEMS = ['crm', 'psa', 'books', 'salesforce'] as const;
export type ErasureSystem = (typeof ERASURE_SYSTEMS)[number];

/** done: erased there; waiting: unreachable, retried; not_connected: no link to that system (yet); not_applicable: nothing of the subject there. */
export const ERASURE_SYSTEM_STATUSES = ['pending', 'done', 'waiting', 'not_connected', 'not_applicable', 'failed'] as const;
export type ErasureSystemStatus = (typeof ERASURE_SYSTEM_STATUSES)[number];

/** How the request named its subject. */
export const ERASURE_SUBJECT_KINDS = ['contact', 'email'] as const;
export type ErasureSubjectKind = (typeof ERASURE_SUBJECT_KINDS)[number];

/** What a retained reference is. */
export const RETAINED_KINDS = ['invoice'] as const;
export type RetainedKind = (typeof RETAINED_KINDS)[number];
export const RETAINED_SYSTEMS = ['books'] as const;
export type RetainedSystem = (typeof RETAINED_SYSTEMS)[number];

/** erasure: the request's proof; retention_end: retained references removed when their retention ended. */
export const RECEIPT_KINDS = ['erasure', 'retention_end'] as const;
export type ReceiptKind = (typeof RECEIPT_KINDS)[number];

export interface ErasureStepRecord {
  name: ErasureStepName;
  status: ErasureStepStatus;
  startedAt?: string;
  endedAt?: string;
  code?: string;
  detail?: string;
}

export interface ErasureSystemRecord {
  system: ErasureSystem;
  status: ErasureSystemStatus;
  code?: string;
  detail?: string;
}

export const initialSteps = (): ErasureStepRecord[] => ERASURE_STEPS.map((name) => ({ name, status: 'pending' }));
export const initialSystems = (): ErasureSystemRecord[] => ERASURE_SYSTEMS.map((system) => ({ system, status: 'pending' }));
