/**
 * sObject Collections retrieve in chunks of ≤ 2 000 ids (Salesforce's cap; jsforce does not chunk). `fields`
 * is required: without it jsforce would first call describe and ask for every field.
 */
import type { ClientCore } from './core';
import { stripAttributes } from './query';
import type { SalesforceRecord } from './types';
import { z } from 'zod';

export const RETRIEVE_CHUNK = 2000;
const RetrieveResponse = z.array(z.record(z.string(), z.unknown()).nullable());

/** Records aligned with `ids`; null where the id is unknown, deleted or not visible. */
export async function retrieve(core: ClientCore, object: string, ids: string[], fields: string[]): Promise<Array<SalesforceRecord | null>> {
  if (fields.length === 0) throw new RangeError('retrieve needs at least one field');
  const out: Array<SalesforceRecord | null> = [];
  for (let i = 0; i < ids.length; i += RETRIEVE_CHUNK) {
    const chunk = ids.slice(i, i + RETRIEVE_CHUNK);
    const raw = await core.call(async (conn) => (await conn.sobject(object).retrieve(chunk, { fields })) as unknown);
    const rows = core.parse(RetrieveResponse, raw, 'a retrieve');
    out.push(...rows.map((row) => (row ? stripAttributes(row) : null)));
  }
  return out;
}
