import type { Client } from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import type { EnrollmentEndReason } from '../../workflows/enrollment-messages';
import { signalEnrollments } from './enrollment-workflows';

/** Upper bound on how long a request waits for Temporal; the database already holds the truth. */
const SIGNAL_TIMEOUT_MS = 5_000;

/**
 * Tells each enrollment workflow to stop, after the database transaction committed. The database
 * decides: a send re-checks enrollment liveness under the contact lock, so a lost signal can delay
 * the workflow's exit but never cause an email. So a Temporal failure here is logged, not returned:
 * failing the request would hide the enrollments it already ended.
 */
export async function signalEnrollmentsEnded(temporal: Client, enrollmentIds: readonly string[], reason: EnrollmentEndReason, log: FastifyBaseLogger): Promise<void> {
  if (enrollmentIds.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), SIGNAL_TIMEOUT_MS);
  });
  const signals = signalEnrollments(temporal, enrollmentIds, { kind: 'end', reason }).then(
    () => 'done' as const,
    (err: unknown) => {
      log.warn({ err, enrollmentIds, reason }, 'could not signal enrollment workflows; the database already ended the enrollments');
      return 'failed' as const;
    },
  );
  const outcome = await Promise.race([signals, timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') log.warn({ enrollmentIds, reason }, 'enrollment end signals still pending; the database already ended the enrollments');
}
