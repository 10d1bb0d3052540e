import type { FastifyInstance } from 'fastify';
import { createUser, issueApiKey } from '../db/api-keys';
import type { Db } from '../db/database';

/** Data the bench works on: an admin key, an SMTP mailbox on the sink, sequences, many contacts. */

export async function adminKey(db: Db): Promise<string> {
  return (await issueApiKey(db, await createUser(db, 'Bench admin', 'admin'), 'bench')).key;
}

export async function call(app: FastifyInstance, key: string, method: 'POST' | 'GET', url: string, payload?: unknown): Promise<unknown> {
  const res = await app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload !== undefined ? { payload: payload as object } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} → ${res.statusCode}: ${res.body}`);
  return res.json();
}

/** An active sequence on a mailbox pointing at the sink; limits high enough not to be measured. */
export async function createSequence(app: FastifyInstance, key: string, smtpPort: number, delays: string[]): Promise<string> {
  const mailbox = (await call(app, key, 'POST', '/v1/mailboxes', { provider: 'smtp', address: 'bench@crm.test', connected: true, syncEnabled: true, dailyLimit: 1_000_000, perMinuteLimit: 1_000_000, smtp: { host: '127.0.0.1', port: smtpPort, secure: false } })) as { id: string };
  const steps = delays.map((delay, i) => ({ subject: `Bench step ${i + 1}`, html: `<p>Hello {{contact.firstName | "there"}}, step ${i + 1}. <a href="https://example.com/${i}">link</a></p>`, text: `Hello, step ${i + 1}`, delay }));
  const sequence = (await call(app, key, 'POST', '/v1/sequences', { name: `Bench ${delays.length} steps`, mailboxId: mailbox.id, steps, sendWindow: null })) as { id: string };
  await call(app, key, 'POST', `/v1/sequences/${sequence.id}/activate`);
  return sequence.id;
}

/** Opted-in contacts, inserted in batches (the bench measures enrollment, not contact creation). */
export async function insertContacts(db: Db, count: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 1000) {
    const rows = Array.from({ length: Math.min(1000, count - start) }, (_, i) => {
      const email = `${prefix}-${start + i}@bench.example`;
      return { email, email_normalized: email, first_name: `Person${start + i}`, consent: 'opted_in' as const, external_ids: '{}' };
    });
    const inserted = await db.insertInto('contacts').values(rows).returning('id').execute();
    ids.push(...inserted.map((r) => r.id));
  }
  return ids;
}
