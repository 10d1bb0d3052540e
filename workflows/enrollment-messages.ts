import { defineQuery, defineSignal } from '@temporalio/workflow';

/**
 * The enrollment workflow's messages, shared by the workflow and the API (which signals and
 * queries it). Payloads carry codes and ids only, never personal data.
 */
export type EnrollmentEndReason = 'UNSUBSCRIBED' | 'REPLIED' | 'CONTACT_BOUNCED' | 'UNENROLLED' | 'ERASURE' | (string & {});

/** The rep paused / resumed this enrollment. */
export const pauseEnrollmentSignal = defineSignal('pauseEnrollment');
export const resumeEnrollmentSignal = defineSignal('resumeEnrollment');
/** End now: unenrolled by a rep, unsubscribed, replied, bounced, erased. Nothing more is sent. */
export const endEnrollmentSignal = defineSignal<[{ reason: EnrollmentEndReason }]>('endEnrollment');
/** Something a hold depends on changed (sequence paused/resumed/edited, mailbox reconnected): re-check now. */
export const gatesChangedSignal = defineSignal('gatesChanged');

export interface EnrollmentStatusView {
  enrollmentId: string;
  status: 'active' | 'waiting' | 'paused' | 'completed' | 'ended';
  endedReason?: string;
  currentStepId?: string;
  nextSendAt?: string;
  waitingFor: string[];
}
export const enrollmentStatusQuery = defineQuery<EnrollmentStatusView>('enrollmentStatus');
