/**
 * Opens and clicks, from the public tracking routes. Best effort: a failed log write never breaks
 * the pixel or the redirect (the caller logs it and serves anyway).
 */
import type { Db } from '../../db/database';
import { findSendById } from '../../db/email-sends';
import { recordClick, recordOpen } from '../../db/tracking-events';

/** Origin + path of a link: query strings and fragments may carry personal data. */
function linkTarget(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? `${u.origin}${u.pathname}` : null;
  } catch {
    return null;
  }
}

export async function trackOpen(db: Db, sendId: string, at: Date): Promise<void> {
  const send = await findSendById(db, sendId);
  if (send) await recordOpen(db, send, at);
}

/** The original link of that email only (no open redirect), or null for an unknown send or index. */
export async function resolveClick(db: Db, sendId: string, linkIndex: number): Promise<{ url: string; record(at: Date): Promise<boolean> } | null> {
  const send = await findSendById(db, sendId);
  const url = send?.links[linkIndex];
  const target = typeof url === 'string' ? linkTarget(url) : null;
  if (!send || !url || !target) return null;
  return { url, record: (at) => recordClick(db, send, linkIndex, target, at) };
}
