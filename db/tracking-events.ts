import { recordActivity } from './activity-log';
import type { Db } from './database';
import { sendData, type SendRef } from './email-sends';

/**
 * Opens and clicks from the tracking routes. Every open counts, but reloads of the same email
 * within one minute (clients and proxies fetch images repeatedly) are folded into one activity.
 */
export const TRACKING_DEDUPE_WINDOW_MS = 60_000;

const bucket = (at: Date) => Math.floor(at.getTime() / TRACKING_DEDUPE_WINDOW_MS);

export async function recordOpen(db: Db, send: SendRef, at: Date): Promise<boolean> {
  return recordActivity(db, { contactId: send.contactId, companyId: send.companyId, type: 'email_opened', data: sendData(send), actor: 'tracking:pixel', dedupeKey: `open:${send.sendId}:${bucket(at)}` });
}

/** `target` is the link's origin + path only: query strings may carry personal data. */
export async function recordClick(db: Db, send: SendRef, linkIndex: number, target: string, at: Date): Promise<boolean> {
  return recordActivity(db, { contactId: send.contactId, companyId: send.companyId, type: 'email_clicked', data: { linkIndex, url: target, ...sendData(send) }, actor: 'tracking:click', dedupeKey: `click:${send.sendId}:${linkIndex}:${bucket(at)}` });
}
