/**
 * Step 3, check_books: asks Books for each contact's invoices. With invoices the contact stays as an
 * anonymised stub holding only the financial references (invoice id, amount, currency, issue date),
 * each with its legal basis and retainUntil from the jurisdiction table (FINANCIAL_RECORDS_RETAINED);
 * without, the contact row goes in erase_crm.
 */
import { ruleFor, retainUntil } from '../../domain/erasure/retention';
import { booksCall } from './books-calls';
import { stepRecorder, type ErasureDeps, type StepInput } from './step-context';

export function checkBooksActivity(deps: ErasureDeps) {
  return async function erasureCheckBooks({ requestId }: StepInput): Promise<{ retained: number }> {
    const step = stepRecorder(deps, requestId, 'check_books');
    const { row, done } = await step.begin();
    const { db } = deps;
    if (done) return { retained: (await db.selectFrom('erasure_retained_records').select('id').where('request_id', '=', requestId).execute()).length };
    const books = deps.books();
    const { jurisdiction, rule } = ruleFor(deps.config.ERASURE_RETENTION_RULES, row.jurisdiction);
    let retained = 0;
    const stubs = new Set<string>();
    for (const contactId of row.contact_ids) {
      const invoices = await booksCall(deps, requestId, 'check_books', () => books.listInvoices(contactId));
      if (invoices.length === 0) continue;
      stubs.add(contactId);
      const rows = invoices.map((i) => ({
        request_id: requestId,
        contact_id: contactId,
        system: 'books' as const,
        kind: 'invoice' as const,
        reference: i.id,
        amount: i.amount,
        currency: i.currency,
        issued_at: i.issuedAt,
        legal_basis: rule.legalBasis,
        jurisdiction,
        retain_until: retainUntil(i.issuedAt, rule),
      }));
      await db.insertInto('erasure_retained_records').values(rows).onConflict((oc) => oc.columns(['request_id', 'system', 'kind', 'reference']).doNothing()).execute();
      retained += invoices.length;
    }
    if (row.status === 'waiting') await db.updateTable('erasure_requests').set({ status: 'running' }).where('id', '=', requestId).where('status', '=', 'waiting').execute();
    const deleted = row.contact_ids.length - stubs.size;
    const detail = retained > 0
      ? `${retained} invoice reference(s) retained (${jurisdiction}: ${rule.legalBasis}); ${stubs.size} contact(s) kept as anonymised stub(s), ${deleted} to be deleted.`
      : `No invoices in Books; ${deleted} contact row(s) to be deleted.`;
    await step.completed(detail, retained > 0 ? 'FINANCIAL_RECORDS_RETAINED' : undefined);
    return { retained };
  };
}
