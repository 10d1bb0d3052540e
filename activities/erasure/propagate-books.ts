/** Books propagation: Books erases the personal data it is not obliged to keep (POST /v1/contacts/:id/erase), per contact. */
import { booksCall } from './books-calls';
import type { SystemPropagator } from './propagators';

export const booksPropagator: SystemPropagator = {
  system: 'books',
  async propagate(deps, { requestId, contactIds }) {
    if (contactIds.length === 0) return { status: 'not_applicable', code: 'NOTHING_TO_ERASE', detail: 'The subject has no contact, so Books holds nothing of it.' };
    const books = deps.books();
    const retainedFields = new Set<string>();
    const bases = new Set<string>();
    for (const contactId of contactIds) {
      const r = await booksCall(deps, requestId, 'propagate', () => books.eraseContact(contactId, { idempotencyKey: `erase:${requestId}:${contactId}` }));
      for (const f of r.retained) retainedFields.add(f);
      if (r.legalBasis) bases.add(r.legalBasis);
    }
    const retained = retainedFields.size > 0 ? ` Books retains ${[...retainedFields].sort().join(', ')} on issued invoices (${[...bases].join('; ')}).` : '';
    return { status: 'done', ...(retainedFields.size > 0 && { code: 'FINANCIAL_RECORDS_RETAINED' }), detail: `Books erased the personal data of ${contactIds.length} contact(s) it is not obliged to keep.${retained}` };
  },
};
