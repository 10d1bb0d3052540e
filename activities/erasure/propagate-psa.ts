/** PSA propagation: each linked contact is deleted from its PSA client (DELETE /v1/clients/:clientId/contacts/:crmContactId). */
import { Context } from '@temporalio/activity';
import { updateErasureSystem } from '../../db/erasure-requests';
import { PsaAuthError, PsaRequestError, PsaUnreachableError } from '../../integrations/psa/errors';
import { heartbeatWhile } from '../heartbeat';
import type { SystemPropagator } from './propagators';
import { stepFailure } from './step-context';

export const psaPropagator: SystemPropagator = {
  system: 'psa',
  async propagate(deps, { requestId, psaLinks }) {
    if (psaLinks.length === 0) return { status: 'not_applicable', code: 'NOTHING_TO_ERASE', detail: "The subject's contacts are not linked to a PSA client." };
    const psa = deps.psa();
    let deleted = 0;
    for (const link of psaLinks) {
      try {
        const r = await heartbeatWhile(() => psa.deleteContact({ clientId: link.clientId, crmContactId: link.contactId, idempotencyKey: `erase:${requestId}:${link.contactId}` }));
        if (r.deleted) deleted++;
      } catch (err) {
        if (err instanceof PsaUnreachableError) {
          let attempt = 1;
          try {
            attempt = Context.current().info.attempt;
          } catch {
            // outside an activity
          }
          await updateErasureSystem(deps.db, requestId, { system: 'psa', status: 'waiting', code: 'PSA_UNREACHABLE', detail: `The PSA API is unreachable (attempt ${attempt}: ${err.message}); retrying with backoff.` });
          throw stepFailure('PSA_UNREACHABLE', err.message, true);
        }
        if (err instanceof PsaAuthError) throw stepFailure('INTEGRATION_KEY_MISMATCH', err.message);
        if (err instanceof PsaRequestError) throw stepFailure('PSA_REQUEST_REJECTED', err.message);
        throw err;
      }
    }
    return { status: 'done', detail: `${psaLinks.length} PSA contact(s) deleted from their client (${psaLinks.length - deleted} already gone).` };
  },
};
