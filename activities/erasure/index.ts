import { ApplicationFailure } from '@temporalio/common';
import { systemClock } from '../../domain/clock';
import { createBooksClient, type BooksClient } from '../../integrations/books/client';
import { psaResolver } from '../promotion/psa-from-config';
import type { ActivityDeps } from '../deps';
import { checkBooksActivity } from './check-books';
import { eraseCrmActivities } from './erase-crm';
import { locateActivity } from './locate';
import { propagateActivities } from './propagate';
import { receiptActivities } from './receipt';
import { retentionActivities } from './retention';
import type { ErasureDeps } from './step-context';
import { stopSequencesActivities } from './stop-sequences';
import { verifyActivity } from './verify';

/** Books from BOOKS_API_URL / BOOKS_API_KEY, built on first use; without them erasure cannot know what to retain, so it stops. */
function booksResolver(deps: ActivityDeps): () => BooksClient {
  let client = deps.books;
  return () => {
    if (client) return client;
    const { BOOKS_API_URL, BOOKS_API_KEY } = deps.config;
    if (!BOOKS_API_URL || !BOOKS_API_KEY) {
      throw ApplicationFailure.nonRetryable('The Books integration is not configured: set BOOKS_API_URL and BOOKS_API_KEY for the worker (invoices must be checked before anything is erased).', 'BOOKS_NOT_CONFIGURED');
    }
    client = createBooksClient({ baseUrl: BOOKS_API_URL, apiKey: BOOKS_API_KEY });
    return client;
  };
}

/** The erasure workflow's activities (one or more per step) and the retention sweep's. */
export function createErasureActivities(deps: ActivityDeps) {
  const ctx: ErasureDeps = {
    db: deps.db,
    config: deps.config,
    temporal: () => {
      if (!deps.temporal) throw new Error('erasure activities need a Temporal client in the activity deps');
      return deps.temporal;
    },
    books: booksResolver(deps),
    psa: psaResolver(deps.config, deps.psa),
    now: deps.clock ?? systemClock,
    crmClient: deps.crmClient,
  };
  return {
    erasureLocate: locateActivity(ctx),
    ...stopSequencesActivities(ctx),
    erasureCheckBooks: checkBooksActivity(ctx),
    ...eraseCrmActivities(ctx),
    ...propagateActivities(ctx),
    erasureVerify: verifyActivity(ctx),
    ...receiptActivities(ctx),
    ...retentionActivities(ctx),
  };
}
