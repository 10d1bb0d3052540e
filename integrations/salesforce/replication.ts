/** Replication API: ids changed / deleted in a window (salesforce-wire.md §4). */
import type { ClientCore } from './core';
import type { DeletedResult, UpdatedResult } from './types';
import { DeletedResponse, UpdatedResponse } from './wire';

export function getUpdated(core: ClientCore, object: string, start: Date, end: Date): Promise<UpdatedResult> {
  return core.call(async (conn) => core.parse(UpdatedResponse, await conn.sobject(object).updated(start, end), 'getUpdated'));
}

export function getDeleted(core: ClientCore, object: string, start: Date, end: Date): Promise<DeletedResult> {
  return core.call(async (conn) => core.parse(DeletedResponse, await conn.sobject(object).deleted(start, end), 'getDeleted'));
}
