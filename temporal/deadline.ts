import type { Client } from '@temporalio/client';

/** Upper bound on a request's wait for Temporal; the database already holds the truth. */
export const TEMPORAL_CALL_TIMEOUT_MS = 5_000;

/** Temporal could not be reached in time. The API answers 503 TEMPORAL_UNAVAILABLE. */
export class TemporalUnavailableError extends Error {
  override readonly name = 'TemporalUnavailableError';
  readonly code = 'TEMPORAL_UNAVAILABLE';
}

/** Bounds one Temporal call (gRPC retries included), so a Temporal outage is a prompt error, not a hung request. */
export function withTemporalDeadline<T>(temporal: Client, call: () => Promise<T>, ms = TEMPORAL_CALL_TIMEOUT_MS): Promise<T> {
  return temporal.withDeadline(Date.now() + ms, call);
}

export function temporalUnavailable(err: unknown, whatIsSafe: string): TemporalUnavailableError {
  const reason = err instanceof Error ? err.message : String(err);
  return new TemporalUnavailableError(`Temporal could not be reached (${reason}); ${whatIsSafe}`);
}
