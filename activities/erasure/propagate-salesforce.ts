/**
 * THE SEAM for CRM sync (branch `sync`): Salesforce propagation of an erasure. Until CRM sync keeps
 * links between our contacts and Salesforce Contacts/Leads, there is nothing to delete there, and the
 * system says NOT_CONNECTED. The sync engineer replaces the body: look up the links of
 * `target.contactIds`, delete each linked Contact/Lead through integrations/salesforce (idempotent:
 * an already-deleted record is done), and return `done`; throw a retryable failure with
 * SALESFORCE_UNREACHABLE (after recording the system as `waiting`) when Salesforce cannot be reached.
 */
import type { SystemPropagator } from './propagators';

export const salesforcePropagator: SystemPropagator = {
  system: 'salesforce',
  async propagate() {
    return { status: 'not_connected', code: 'NOT_CONNECTED', detail: 'CRM sync is not connected: no Salesforce Contact or Lead is linked to the subject, so nothing was deleted there.' };
  },
};

/** The seam for locate: Salesforce links of the subject's contacts (none until CRM sync exists). */
export async function salesforceLinksOf(_contactIds: readonly string[]): Promise<number> {
  return 0;
}
