/**
 * Salesforce propagation of an erasure: every Contact / Lead that CRM sync links to the subject's
 * contacts is deleted through its connector (services/sync/erasure-seams.ts: already gone counts as
 * done; what sync kept of the record is forgotten and the link stops with ERASED, so no cycle re-creates
 * it). No connector at all: NOT_CONNECTED. Salesforce unreachable: the system shows `waiting`
 * (SALESFORCE_UNREACHABLE) and the activity is retried with backoff.
 */
import { Context } from '@temporalio/activity';
import { updateErasureSystem } from '../../db/erasure-requests';
import { SalesforceAuthError, SalesforceQuotaError, SalesforceRejectedError, SalesforceTransientError } from '../../integrations/salesforce/errors';
import { countConnectors } from '../../services/sync/connector-store';
import { deleteCrmPerson, linksOfContacts } from '../../services/sync/erasure-seams';
import { heartbeatWhile } from '../heartbeat';
import type { SystemPropagator } from './propagators';
import { stepFailure } from './step-context';

const attemptOf = (): number => {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
};

export const salesforcePropagator: SystemPropagator = {
  system: 'salesforce',
  async propagate(deps, { requestId, contactIds }) {
    const people = (await linksOfContacts(deps.db, contactIds)).filter((l) => l.object === 'Contact' || l.object === 'Lead');
    if (people.length === 0) {
      if ((await countConnectors(deps.db)) === 0) return { status: 'not_connected', code: 'NOT_CONNECTED', detail: 'No CRM connector exists: nothing was synced to Salesforce, so nothing was deleted there.' };
      return { status: 'not_applicable', code: 'NOTHING_TO_ERASE', detail: "No Salesforce Contact or Lead is linked to the subject's contacts." };
    }
    let gone = 0;
    for (const link of people) {
      try {
        const r = await heartbeatWhile(() => deleteCrmPerson({ db: deps.db, config: deps.config, crmClient: deps.crmClient }, { connectorId: link.connectorId, object: link.object as 'Contact' | 'Lead', externalId: link.externalId }));
        if (r.outcome === 'already_gone') gone++;
      } catch (err) {
        if (err instanceof SalesforceTransientError || err instanceof SalesforceQuotaError) {
          await updateErasureSystem(deps.db, requestId, { system: 'salesforce', status: 'waiting', code: 'SALESFORCE_UNREACHABLE', detail: `Salesforce could not take the delete (attempt ${attemptOf()}: ${err.code}); retrying with backoff.` });
          throw stepFailure('SALESFORCE_UNREACHABLE', err.message, true);
        }
        if (err instanceof SalesforceAuthError) throw stepFailure('CRM_AUTH_FAILED', err.message);
        if (err instanceof SalesforceRejectedError) throw stepFailure('CRM_REJECTED', err.message);
        throw err;
      }
    }
    return { status: 'done', detail: `${people.length} Salesforce Contact/Lead record(s) deleted (${gone} already gone); sync keeps only the link, stopped with ERASED.` };
  },
};

/** Locate: how many Salesforce records CRM sync links to the subject's contacts. */
export async function salesforceLinksOf(deps: { db: Parameters<typeof linksOfContacts>[0] }, contactIds: readonly string[]): Promise<number> {
  return contactIds.length === 0 ? 0 : (await linksOfContacts(deps.db, contactIds)).length;
}
