/**
 * The SOQL that asks Salesforce for the Accounts listing an email domain: the same fields the sync
 * loop reads (so the snapshot the link starts from is the one a cycle would store), filtered with
 * LIKE on `Website` and the connector's `domainsField`. LIKE finds supersets (`acme.example` is in
 * `notacme.example`), so the caller keeps only accounts whose parsed domains include it exactly.
 * Salesforce cannot filter Long Text Area fields: `domainsField` must be a Text field.
 */
import type { SyncSettings } from '../sync/settings';
import { fieldsToRead } from '../sync/snapshot';

/** At most this many accounts per connector are considered (one query page). */
export const MAX_ACCOUNTS_PER_DOMAIN = 50;

/** A SOQL string literal's body for LIKE: quotes and backslashes escaped, wildcards matched literally. */
export function soqlLikeLiteral(value: string): string {
  return value.replace(/[\\'%_]/g, (c) => `\\${c}`);
}

export function accountsByDomainSoql(domain: string, settings: SyncSettings): string {
  const pattern = `'%${soqlLikeLiteral(domain)}%'`;
  const where = [`Website LIKE ${pattern}`, ...(settings.domainsField ? [`${settings.domainsField} LIKE ${pattern}`] : [])].join(' OR ');
  return `SELECT ${fieldsToRead('Account', settings).join(', ')} FROM Account WHERE ${where} ORDER BY Id LIMIT ${MAX_ACCOUNTS_PER_DOMAIN}`;
}
