/**
 * Step 6, propagate: one propagator per external system (PSA, Books, Salesforce), each its own
 * activity so an unreachable system is retried with backoff (system `waiting` with its
 * …_UNREACHABLE code, request `waiting`) without holding up the others. A propagator is idempotent.
 */
import type { ErasureSystem, ErasureSystemStatus } from '../../domain/erasure/vocabulary';
import type { ErasureDeps } from './step-context';

export interface PropagateTarget {
  requestId: string;
  /** The subject's contact ids (the rows may already be gone). */
  contactIds: readonly string[];
  /** PSA contacts to delete: (PSA client id, CRM contact id), found by locate before erase_crm. */
  psaLinks: ReadonlyArray<{ clientId: string; contactId: string }>;
}

export interface PropagateOutcome {
  status: Extract<ErasureSystemStatus, 'done' | 'not_connected' | 'not_applicable'>;
  code?: string;
  detail: string;
}

export interface SystemPropagator {
  system: Exclude<ErasureSystem, 'crm'>;
  propagate(deps: ErasureDeps, target: PropagateTarget): Promise<PropagateOutcome>;
}
