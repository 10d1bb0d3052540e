/**
 * What GDPR erasure needs from CRM sync (the erasure workflow plugs these in):
 * - `linksOfContact` (its `locate` step): the CRM records a contact is linked to, per connector;
 * - `deleteCrmPerson` (its `propagate` step, callable from an activity): deletes the subject's Contact
 *   or Lead in Salesforce through the connector, then forgets what sync kept of it (snapshot, earlier
 *   versions, email) and marks the link stopped with ERASED, so no later cycle re-creates it.
 * Both are idempotent: a record already gone in the CRM counts as deleted.
 */
import type { Db } from '../../db/database';
import type { Tx } from '../../db/lock-order';
import type { AppConfig } from '../../domain/config';
import type { SyncObject } from '../../domain/sync/vocabulary';
import { SalesforceRejectedError } from '../../integrations/salesforce/errors';
import { requireConnector } from './connector-store';
import { crmClientFor, type CrmClientOptions } from './crm-client';

export interface CrmLink {
  connectorId: string;
  object: SyncObject;
  externalId: string;
  status: string;
  code: string | null;
}

export async function linksOfContact(db: Db, contactId: string): Promise<CrmLink[]> {
  return linksOfContacts(db, [contactId]);
}

/** The CRM records linked to any of these contacts (an erasure subject may be several merged contacts). */
export async function linksOfContacts(db: Db, contactIds: readonly string[]): Promise<CrmLink[]> {
  if (contactIds.length === 0) return [];
  const rows = await db
    .selectFrom('sync_records')
    .select(['connector_id', 'object', 'external_id', 'status', 'code'])
    .where('local_kind', '=', 'contact')
    .where('local_id', 'in', [...contactIds])
    .orderBy('connector_id')
    .orderBy('external_id')
    .execute();
  return rows.map((r) => ({ connectorId: r.connector_id, object: r.object, externalId: r.external_id, status: r.status, code: r.code }));
}

/** What sync keeps of a link erasure stopped: the link itself, stopped with ERASED, and nothing the CRM said of the person. */
const erasedLink = () => ({ status: 'stopped' as const, code: 'ERASED' as const, snapshot: null, applied: '{}', email_normalized: null, decision: JSON.stringify({ outcome: 'stop', code: 'ERASED', checks: [{ rule: 'erased', pass: false, code: 'ERASED' }], conflicts: [] }), updated_at: new Date() });

/**
 * erase_crm, before it deletes the subject's contacts: stops their links with ERASED in the same
 * transaction. A sync cycle that runs before propagate has deleted the record in Salesforce (the loop
 * does not wait for erasure) then finds a final link and stores nothing; without it, it found a link to
 * a contact that no longer exists and created the person again. Sync locks sync_records before
 * contacts (apply-records.ts), so this comes first here too.
 */
export async function stopLinksOfErasedContacts(tx: Tx, contactIds: readonly string[]): Promise<number> {
  if (contactIds.length === 0) return 0;
  const res = await tx
    .updateTable('sync_records')
    .set(erasedLink())
    .where('local_kind', '=', 'contact')
    .where('local_id', 'in', [...contactIds])
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Salesforce's answers that mean "nothing left to delete". */
const ALREADY_GONE = new Set(['ENTITY_IS_DELETED', 'INVALID_CROSS_REFERENCE_KEY', 'NOT_FOUND']);

export async function deleteCrmPerson(
  deps: { db: Db; config: Pick<AppConfig, 'SECRETS_KEY'>; crmClient?: Omit<CrmClientOptions, 'secretsKey'> },
  input: { connectorId: string; object: Extract<SyncObject, 'Contact' | 'Lead'>; externalId: string },
): Promise<{ outcome: 'deleted' | 'already_gone' }> {
  const connector = await requireConnector(deps.db, input.connectorId);
  const client = crmClientFor(connector, { secretsKey: deps.config.SECRETS_KEY, ...deps.crmClient });
  const [result] = await client.deleteMany(input.object, [input.externalId]);
  const gone = !result?.success && result?.errors.some((e) => ALREADY_GONE.has(e.statusCode));
  if (!result?.success && !gone) throw new SalesforceRejectedError({ errorCode: result?.errors.map((e) => e.statusCode).join(', ') ?? 'NO_RESULT' }, `Salesforce refused to delete the ${input.object}`);
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .updateTable('sync_records')
      .set(erasedLink())
      .where('connector_id', '=', input.connectorId)
      .where('object', '=', input.object)
      .where('external_id', '=', input.externalId)
      .execute();
    await tx.deleteFrom('sync_record_versions').where('connector_id', '=', input.connectorId).where('object', '=', input.object).where('external_id', '=', input.externalId).execute();
    await tx.deleteFrom('sync_pending').where('connector_id', '=', input.connectorId).where('object', '=', input.object).where('external_id', '=', input.externalId).execute();
    await tx.deleteFrom('sync_review_items').where('connector_id', '=', input.connectorId).where('object', '=', input.object).where('external_id', '=', input.externalId).execute();
  });
  return { outcome: gone ? 'already_gone' : 'deleted' };
}
