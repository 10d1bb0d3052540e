import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { promises as fs } from 'node:fs';
import type { Db } from '../../db/database';
import type { Consent, ContactStatus } from '../../domain/contacts/vocabulary';
import { normalizeEmail } from '../../domain/email-address';
import { bearer } from '../harness/api';

/** Calls the API and fails loudly (with the error body) when the status is not the expected one. */
export async function call(app: FastifyInstance, key: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, expected?: number): Promise<LightMyRequestResponse> {
  const res = await app.inject({ method, url, headers: bearer(key), ...(payload !== undefined ? { payload: payload as object } : {}) });
  if (expected !== undefined && res.statusCode !== expected) {
    throw new Error(`${method} ${url} → ${res.statusCode}, expected ${expected}: ${res.body}`);
  }
  return res;
}

export function smtpMailbox(port: number, overrides: Record<string, unknown> = {}) {
  return {
    provider: 'smtp',
    address: 'sales@crm.test',
    displayName: 'Sales Team',
    connected: true,
    syncEnabled: true,
    smtp: { host: '127.0.0.1', port, secure: false },
    ...overrides,
  };
}

export interface ContactSeed {
  email?: string | null;
  firstName?: string | null;
  consent?: Consent;
  status?: ContactStatus;
  timeZone?: string | null;
  companyId?: string | null;
}

/** Inserts a contact directly (faster than the API for bulk fixtures). */
export async function insertContact(db: Db, seed: ContactSeed = {}): Promise<string> {
  const email = seed.email === undefined ? `c-${Math.random().toString(36).slice(2)}@example.test` : seed.email;
  const row = await db
    .insertInto('contacts')
    .values({
      email,
      email_normalized: email ? normalizeEmail(email) : null,
      first_name: seed.firstName ?? null,
      last_name: null,
      company_id: seed.companyId ?? null,
      status: seed.status ?? 'active',
      consent: seed.consent ?? 'opted_in',
      time_zone: seed.timeZone ?? null,
      owner_id: null,
      external_ids: '{}',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Polls until `check` returns a value (not undefined) or the time runs out. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function emlFiles(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).filter((f) => f.endsWith('.eml')).sort();
  } catch {
    return [];
  }
}
