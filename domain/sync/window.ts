/**
 * Replication API windows (salesforce-wire.md §4): Salesforce ignores seconds, wants the end more than
 * a minute after the start, serves updated ids for 30 days and deletes for 15. The cursor is always a
 * `latestDateCovered` Salesforce returned; "now" is the CRM's clock (estimated from its Date headers),
 * never ours. Pure.
 */
export const MINUTE_MS = 60_000;
export const UPDATED_RETENTION_MS = 30 * 24 * 60 * MINUTE_MS;
export const DELETED_RETENTION_MS = 15 * 24 * 60 * MINUTE_MS;
/** Stay clear of the retention edge: a cursor this close to it is treated as expired. */
const RETENTION_MARGIN_MS = 60 * MINUTE_MS;

export const floorMinute = (ms: number): number => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

export type WindowPlan = { kind: 'read'; start: Date; end: Date } | { kind: 'too_soon' } | { kind: 'expired' };

export function planWindow(fromMs: number, serverNowMs: number, feed: 'updated' | 'deleted'): WindowPlan {
  const retention = feed === 'updated' ? UPDATED_RETENTION_MS : DELETED_RETENTION_MS;
  const start = floorMinute(fromMs);
  if (start < serverNowMs - retention + RETENTION_MARGIN_MS) return { kind: 'expired' };
  const end = floorMinute(Math.min(serverNowMs, start + retention - RETENTION_MARGIN_MS));
  if (end - start < MINUTE_MS) return { kind: 'too_soon' };
  return { kind: 'read', start: new Date(start), end: new Date(end) };
}
