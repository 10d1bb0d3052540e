/**
 * The enrollment workflow's contract, shared by the workflow, its activities and the API: type name,
 * id, search attributes, signals, query, input and result. Payloads carry ids, codes and instants
 * only, never personal data.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ReasonCode } from '../../domain/reason-codes';
import { searchAttributes } from '../search-attributes';

/** Why an enrollment ended (a reason code; e.g. UNSUBSCRIBED, REPLIED, ERASED, UNENROLLED). */
export type EnrollmentEndReason = ReasonCode;

export interface EnrollmentInput {
  enrollmentId: string;
  /** Progress carried across continue-as-new. */
  carry?: { afterStepId: string | null; baseMs: number; paused: boolean };
  /** History length that triggers continue-as-new (default 10,000; tests use a small one). */
  historyLimit?: number;
}

export interface EnrollmentResult {
  status: 'completed' | 'ended';
  endedReason?: string;
}

export interface EnrollmentStatusView {
  enrollmentId: string;
  status: 'active' | 'waiting' | 'paused' | 'completed' | 'ended';
  endedReason?: string;
  currentStepId?: string;
  nextSendAt?: string;
  waitingFor: string[];
}

const ID_PREFIX = 'enrollment-';

export const enrollmentContract = {
  type: 'enrollmentWorkflow',
  id: (enrollmentId: string) => `${ID_PREFIX}${enrollmentId}`,
  /** The enrollment id inside a workflow id, or undefined for another workflow's id. */
  idOf: (workflowId: string) => (workflowId.startsWith(ID_PREFIX) && workflowId.length > ID_PREFIX.length ? workflowId.slice(ID_PREFIX.length) : undefined),
  searchAttributes: { ContactId: searchAttributes.ContactId, SequenceId: searchAttributes.SequenceId, EnrollmentId: searchAttributes.EnrollmentId },
  signals: {
    /** The rep paused / resumed this enrollment. */
    pause: defineSignal('pauseEnrollment'),
    resume: defineSignal('resumeEnrollment'),
    /** End now: unenrolled by a rep, unsubscribed, replied, bounced, erased. Nothing more is sent. */
    end: defineSignal<[{ reason: EnrollmentEndReason }]>('endEnrollment'),
    /** Something a hold depends on changed (sequence paused/resumed/edited, mailbox reconnected): re-check now. */
    gatesChanged: defineSignal('gatesChanged'),
  },
  queries: {
    status: defineQuery<EnrollmentStatusView>('enrollmentStatus'),
  },
} as const;
