/**
 * Runs a Books call for an erasure step: Books down (or rate limiting) shows on the step and the
 * request as `waiting` with BOOKS_UNREACHABLE and is rethrown retryable, so Temporal backs off and
 * tries again; a refused key or request is not retryable (someone must fix it).
 */
import { Context } from '@temporalio/activity';
import { updateErasureStep, updateErasureSystem } from '../../db/erasure-requests';
import type { ErasureStepName } from '../../domain/erasure/vocabulary';
import { BooksAuthError, BooksQuotaError, BooksRejectedError, BooksUnreachableError } from '../../integrations/books/errors';
import { heartbeatWhile } from '../heartbeat';
import { stepFailure, type ErasureDeps } from './step-context';

const attempt = () => {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
};

export async function booksCall<T>(deps: ErasureDeps, requestId: string, step: ErasureStepName, call: () => Promise<T>): Promise<T> {
  try {
    return await heartbeatWhile(call);
  } catch (err) {
    if (err instanceof BooksUnreachableError || err instanceof BooksQuotaError) {
      const code = err instanceof BooksQuotaError ? 'BOOKS_QUOTA_EXCEEDED' : 'BOOKS_UNREACHABLE';
      const detail = `Books ${code === 'BOOKS_UNREACHABLE' ? 'is unreachable' : 'is rate limiting'} (attempt ${attempt()}: ${err.message}); retrying with backoff.`;
      if (step === 'propagate') await updateErasureSystem(deps.db, requestId, { system: 'books', status: 'waiting', code, detail });
      else await updateErasureStep(deps.db, requestId, step, { status: 'waiting', code, detail }, { status: 'waiting' });
      throw stepFailure(code, err.message, true);
    }
    if (err instanceof BooksAuthError) throw stepFailure('BOOKS_AUTH_FAILED', err.message);
    if (err instanceof BooksRejectedError) throw stepFailure('BOOKS_REQUEST_REJECTED', err.message);
    throw err;
  }
}
