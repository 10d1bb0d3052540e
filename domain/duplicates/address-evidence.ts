/**
 * What two contacts' addresses say about a name match (RULES.md "detection", DUPLICATE_NAME). A name is
 * weak evidence on its own; the addresses can contradict it. A missing address contradicts nothing.
 */
import { distance } from 'fastest-levenshtein';

/** Local parts this close are one mailbox mistyped ("jon.smith" / "john.smith"), not two mailboxes. */
const LOCAL_PART_TYPO_EDITS = 2;

/** Without a company, two different addresses are two people who share a name (nothing corroborates it). */
export function addressesConflict(company: string | null, a: string | null, b: string | null): boolean {
  return company === null && a !== null && b !== null && a !== b;
}

/**
 * In one company, two similar but different names with two mailboxes at the same domain whose local
 * parts differ by more than a typo ("mary.smith@acme" / "marc.smithers@acme") are two colleagues. The
 * same full name is not contradicted this way: one person with two aliases is likelier than namesakes.
 */
export function distinctColleagues(a: string | null, b: string | null, nameDistance: number): boolean {
  if (nameDistance === 0 || a === null || b === null || a === b) return false;
  const at = a.lastIndexOf('@');
  const bt = b.lastIndexOf('@');
  if (a.slice(at) !== b.slice(bt)) return false;
  return distance(a.slice(0, at), b.slice(0, bt)) > LOCAL_PART_TYPO_EDITS;
}
