/**
 * Step 1, locate: every record of the subject, counted (ids and counts only in the step's detail):
 * contacts (with merged tombstones), enrollments, outbox rows, tracking and mail events and other
 * activity-log entries, suppressions, merge snapshots, staged import rows, deal links, PSA links, Books
 * invoices (asked once; check_books asks again), CRM sync links (none until CRM sync exists).
 */
import { sql } from 'kysely';
import { erasureContract } from '../../workflows/erasure/contract';
import { heartbeatWhile } from '../heartbeat';
import { salesforceLinksOf } from './propagate-salesforce';
import { stepRecorder, subjectOf, type ErasureDeps, type StepInput } from './step-context';

export interface LocateResult {
  contacts: number;
  enrollments: number;
  /** PSA contacts to delete in propagate, found now (erase_crm removes the company links). Ids only. */
  psaLinks: Array<{ clientId: string; contactId: string }>;
}

export function locateActivity(deps: ErasureDeps) {
  return async function erasureLocate({ requestId }: StepInput): Promise<LocateResult> {
    const step = stepRecorder(deps, requestId, 'locate');
    const { row } = await step.begin();
    const subject = subjectOf(deps, row);
    const ids = row.contact_ids;
    const { db } = deps;
    const count = async (q: Promise<{ n: string | number | bigint } | undefined>) => Number((await q)?.n ?? 0);
    const none = ids.length === 0;
    const enrollments = none ? 0 : await count(db.selectFrom('enrollments').select(sql<string>`count(*)`.as('n')).where('contact_id', 'in', ids).executeTakeFirst());
    const sends = none ? 0 : await count(db.selectFrom('email_sends').innerJoin('enrollments', 'enrollments.id', 'email_sends.enrollment_id').select(sql<string>`count(*)`.as('n')).where('enrollments.contact_id', 'in', ids).executeTakeFirst());
    const activities = none ? 0 : await count(db.selectFrom('activities').select(sql<string>`count(*)`.as('n')).where('contact_id', 'in', ids).executeTakeFirst());
    const tracking = none ? 0 : await count(db.selectFrom('activities').select(sql<string>`count(*)`.as('n')).where('contact_id', 'in', ids).where('type', 'in', ['email_opened', 'email_clicked', 'bounced', 'complained', 'replied']).executeTakeFirst());
    const addresses = subject.addresses;
    const suppressions = addresses.length === 0 ? 0 : await count(db.selectFrom('suppressions').select(sql<string>`count(*)`.as('n')).where('address_normalized', 'in', addresses).executeTakeFirst());
    const staged = addresses.length === 0 ? 0 : await count(db.selectFrom('import_rows').select(sql<string>`count(*)`.as('n')).where('email_normalized', 'in', addresses).executeTakeFirst());
    const merges = none ? 0 : await count(db.selectFrom('contact_merges').select(sql<string>`count(*)`.as('n')).where(sql<boolean>`primary_id = any(${ids}::uuid[]) or duplicate_ids && ${ids}::uuid[]`).executeTakeFirst());
    const deals = none ? 0 : await count(db.selectFrom('deal_contacts').select(sql<string>`count(*)`.as('n')).where('contact_id', 'in', ids).executeTakeFirst());
    const psaLinks = none ? [] : await psaLinksOf(deps, ids);
    const salesforce = await salesforceLinksOf(deps, ids);
    const books = await booksInvoiceCount(deps, ids);
    const detail = [
      `${ids.length} contact(s)`,
      `${enrollments} enrollment(s)`,
      `${sends} outbox row(s)`,
      `${activities} activity-log entr(ies), ${tracking} tracking/mail event(s)`,
      `${suppressions} suppression(s)`,
      `${merges} merge snapshot(s)`,
      `${staged} staged import row(s)`,
      `${deals} deal link(s)`,
      `${psaLinks.length} PSA link(s)`,
      books === null ? 'Books invoices: Books not reachable now (check_books asks again)' : `${books} Books invoice(s)`,
      `${salesforce} CRM sync link(s)${salesforce === 0 ? ' (CRM sync not connected)' : ''}`,
    ].join('; ');
    await step.completed(`${detail}. Workflow ${erasureContract.id(requestId)}.`);
    return { contacts: ids.length, enrollments, psaLinks };
  };
}

/** Contacts whose company is linked to a PSA client (promotion synced them there, keyed by contact id). */
async function psaLinksOf(deps: ErasureDeps, contactIds: readonly string[]): Promise<LocateResult['psaLinks']> {
  const rows = await deps.db
    .selectFrom('contacts')
    .innerJoin('companies', 'companies.id', 'contacts.company_id')
    .select(['contacts.id as contactId', 'companies.psa_client_id as clientId'])
    .where('contacts.id', 'in', [...contactIds])
    .where('companies.psa_client_id', 'is not', null)
    .orderBy('contacts.id')
    .execute();
  return rows.map((r) => ({ clientId: r.clientId!, contactId: r.contactId }));
}

/** One quick try: locate must not wait for Books (sequences are stopped next); null when Books did not answer. */
async function booksInvoiceCount(deps: ErasureDeps, contactIds: readonly string[]): Promise<number | null> {
  try {
    const books = deps.books();
    let n = 0;
    for (const id of contactIds) n += (await heartbeatWhile(() => books.listInvoices(id))).length;
    return n;
  } catch {
    return null;
  }
}
