/** Step 6, propagate: runs one system's propagator and records its outcome; the workflow calls it per system, then completes the step. */
import { requireErasureRequest, systemOf, updateErasureSystem } from '../../db/erasure-requests';
import type { PropagateSystem } from '../../workflows/erasure/contract';
import { booksPropagator } from './propagate-books';
import { psaPropagator } from './propagate-psa';
import { salesforcePropagator } from './propagate-salesforce';
import type { PropagateTarget, SystemPropagator } from './propagators';
import { stepRecorder, type ErasureDeps, type StepInput } from './step-context';

/** The system propagators, by system; the Salesforce one is the CRM-sync seam. */
export const SYSTEM_PROPAGATORS: Record<PropagateSystem, SystemPropagator> = { psa: psaPropagator, books: booksPropagator, salesforce: salesforcePropagator };

export interface PropagateInput extends StepInput {
  system: PropagateSystem;
  psaLinks: PropagateTarget['psaLinks'];
}

export function propagateActivities(deps: ErasureDeps, propagators: Record<PropagateSystem, SystemPropagator> = SYSTEM_PROPAGATORS) {
  return {
    async erasurePropagate({ requestId, system, psaLinks }: PropagateInput): Promise<string> {
      const step = stepRecorder(deps, requestId, 'propagate');
      const { row } = await step.begin();
      const current = systemOf(row, system);
      if (current.status === 'done' || current.status === 'not_connected' || current.status === 'not_applicable') return current.status;
      const outcome = await propagators[system].propagate(deps, { requestId, contactIds: row.contact_ids, psaLinks });
      await updateErasureSystem(deps.db, requestId, { system, status: outcome.status, code: outcome.code, detail: outcome.detail });
      return outcome.status;
    },

    /** After every system answered: the step's summary; the CRM itself counts as done (erase_crm). */
    async erasurePropagated({ requestId }: StepInput): Promise<void> {
      const step = stepRecorder(deps, requestId, 'propagate');
      await updateErasureSystem(deps.db, requestId, { system: 'crm', status: 'done', detail: 'Erased in the CRM (erase_crm), address suppressed as a keyed hash (suppress).' });
      const row = await requireErasureRequest(deps.db, requestId);
      await step.completed(row.systems.filter((s) => s.system !== 'crm').map((s) => `${s.system}: ${s.status}${s.code ? ` (${s.code})` : ''}`).join('; '));
    },
  };
}
