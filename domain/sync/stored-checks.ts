/**
 * How a decision's rule checks are kept in sync_records (one decision per CRM record, so its size is
 * paid on every row of a load): a check that passed with nothing else to say is kept as its rule's name
 * alone; any other check is kept whole. Readers expand both forms to the same checks.
 */
import type { RuleCheck } from './rules';

export type StoredCheck = RuleCheck | string;

export function compactChecks(checks: readonly RuleCheck[]): StoredCheck[] {
  return checks.map((c) => (c.pass && c.code === null && c.detail === undefined && c.blocking !== false ? c.rule : c));
}

/** A check as read back (older rows and other writers keep every check whole). */
export interface ReadCheck {
  rule: string;
  pass: boolean;
  code?: string | null;
  detail?: string;
  blocking?: boolean;
}

export function expandChecks(stored: ReadonlyArray<ReadCheck | string> | undefined): ReadCheck[] {
  return (stored ?? []).map((c) => (typeof c === 'string' ? { rule: c, pass: true, code: null } : c));
}
