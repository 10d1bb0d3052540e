import { rememberPersonalData } from '../scrub/personal-data-registry';
import { Context } from '@temporalio/activity';
import { recordActivity } from '../../db/activity-log';
import type { SkippedContact } from '../../domain/promotion/steps';
import type { PsaClient, UpsertContactInput } from '../../integrations/psa/client';
import { PsaRequestError } from '../../integrations/psa/errors';
import { createStepRecorder, promotionActor, type PromotionDeps, type StepInput } from './step-context';

export interface SyncContactsInput extends StepInput {
  psaClientId: string;
}

export interface SyncContactsResult {
  synced: number;
  skipped: number;
}

/**
 * Step 6: upsert every contact with an email into the PSA client (idempotent per contact, so a
 * retry redoes the whole list safely); each contact without one is skipped with CONTACT_NO_EMAIL.
 * Contact data is read here, never passed through the workflow.
 */
export function syncContactsActivity({ db, psa }: PromotionDeps) {
  return async function promotionSyncContacts(input: SyncContactsInput): Promise<SyncContactsResult> {
    const { companyId, psaClientId } = input;
    const step = createStepRecorder(db, input, 'sync_contacts');
    await step.running();
    const contacts = await db
      .selectFrom('contacts')
      .select(['id', 'email', 'first_name', 'last_name'])
      .where('company_id', '=', companyId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const actor = promotionActor(companyId);
    const skipped: SkippedContact[] = [];
    let synced = 0;

    for (const [index, contact] of contacts.entries()) {
      Context.current().heartbeat(index);
      const skip = async (code: 'CONTACT_NO_EMAIL' | 'INVALID_EMAIL', detail?: string) => {
        skipped.push({ contactId: contact.id, code });
        await recordActivity(db, { contactId: contact.id, companyId, type: 'psa_contact_sync_skipped', reasonCode: code, data: { psaClientId, ...(detail && { detail }) }, actor, dedupeKey: `promotion:${companyId}:contact_skipped:${contact.id}` });
      };
      const { email } = contact;
      rememberPersonalData(email, contact.first_name, contact.last_name);
      if (!email) {
        await skip('CONTACT_NO_EMAIL');
        continue;
      }
      const result = await step.psa(() => upsertUnlessRejected(psa(), { clientId: psaClientId, crmContactId: contact.id, email, firstName: contact.first_name ?? undefined, lastName: contact.last_name ?? undefined }));
      if (result === 'rejected') {
        await skip('INVALID_EMAIL', 'The PSA rejected the email address.');
        continue;
      }
      synced++;
      await recordActivity(db, { contactId: contact.id, companyId, type: 'psa_contact_synced', data: { psaClientId, psaContactId: result.contact.id }, actor, dedupeKey: `promotion:${companyId}:contact_synced:${contact.id}` });
    }

    const summary = `${synced} contact${synced === 1 ? '' : 's'} synced, ${skipped.length} skipped.`;
    await step.completed(summary, { contacts_synced: synced, contacts_skipped: JSON.stringify(skipped) });
    return { synced, skipped: skipped.length };
  };
}

/** The PSA validates addresses itself; one it refuses (400) must not block the other contacts. */
async function upsertUnlessRejected(client: PsaClient, input: UpsertContactInput) {
  try {
    return await client.upsertContact(input);
  } catch (err) {
    if (err instanceof PsaRequestError && err.status === 400) return 'rejected' as const;
    throw err;
  }
}
