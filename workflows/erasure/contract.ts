/**
 * The erasure workflow's contract: `erasure-<requestId>`, search attributes ErasureRequestId and
 * ContactId (the contact the request named, when it named one). Input and results are ids, counts and
 * codes only: the subject's address and names never enter Temporal (activities read them, sealed, from
 * the request row).
 */
import { defineQuery } from '@temporalio/workflow';
import type { ErasureStepName } from '../../domain/erasure/vocabulary';
import { searchAttributes } from '../search-attributes';

export interface ErasureInput {
  requestId: string;
  /** ERASURE_ENROLLMENT_STOP_TIMEOUT in ms: how long an ended enrollment's workflow may take to close before it is terminated. */
  enrollmentStopTimeoutMs: number;
}

export interface ErasureResult {
  requestId: string;
  status: 'completed';
  receiptSeq: string;
}

/** What stop_sequences ended and which workflows it still waits for. */
export interface StopSequencesResult {
  endedEnrollmentIds: string[];
  /** Ended (now or earlier) enrollments whose workflows may still be running. */
  enrollmentIds: string[];
}

export interface ErasureProgress {
  step: ErasureStepName;
}

/** The systems propagate calls, one activity each (an unreachable one does not hold up the others). */
export const PROPAGATE_SYSTEMS = ['psa', 'books', 'salesforce'] as const;
export type PropagateSystem = (typeof PROPAGATE_SYSTEMS)[number];

const ID_PREFIX = 'erasure-';

export const erasureContract = {
  type: 'erasureWorkflow',
  id: (requestId: string) => `${ID_PREFIX}${requestId}`,
  idOf: (workflowId: string) => (workflowId.startsWith(ID_PREFIX) && workflowId.length > ID_PREFIX.length ? workflowId.slice(ID_PREFIX.length) : undefined),
  actor: (requestId: string) => `workflow:${ID_PREFIX}${requestId}`,
  searchAttributes: { ErasureRequestId: searchAttributes.ErasureRequestId, ContactId: searchAttributes.ContactId },
  queries: { progress: defineQuery<ErasureProgress>('erasureProgress') },
  /** How often stop_sequences looks whether the ended enrollments' workflows have closed. */
  enrollmentCheckEveryMs: 1_000,
} as const;
