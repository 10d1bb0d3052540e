/** GET /query, /queryAll and /query/{locator}: SOQL with server-side cursors and `nextRecordsUrl` paging. */
import { compileSoql, renderJson, runQuery, type FieldPath } from './soql';
import type { ObjectDef } from './schema';
import type { ApiRequest, EmulatorState } from './state';
import { ApiError, DAY, json, type Reply } from './wire';
import { KEY_PREFIXES } from './ids';

export interface QueryCursor {
  id: string;
  object: ObjectDef;
  select: FieldPath[];
  ids: string[];
  pageSize: number;
  includeDeleted: boolean;
  createdAt: number;
}

/** Since API 56.0 query cursors live 2 days. */
const CURSOR_TTL_MS = 2 * DAY;

function pageSize(state: EmulatorState, req: ApiRequest): number {
  const header = String(req.headers['sforce-query-options'] ?? '');
  const m = /batchSize=(\d+)/i.exec(header);
  const requested = m ? Math.min(2000, Math.max(200, Number(m[1]))) : 2000;
  return Math.max(1, Math.min(requested, state.settings.queryPageSize));
}

function page(state: EmulatorState, cursor: QueryCursor, offset: number, version: string): Reply {
  const end = Math.min(offset + cursor.pageSize, cursor.ids.length);
  const records: unknown[] = [];
  for (const id of cursor.ids.slice(offset, end)) {
    const found = state.org.get(id);
    if (found) records.push(renderJson(state.org, cursor.object, found.rec, cursor.select, version));
  }
  const done = end >= cursor.ids.length;
  return json(200, {
    totalSize: cursor.ids.length,
    done,
    ...(done ? {} : { nextRecordsUrl: `/services/data/v${version}/query/${cursor.id}-${end}` }),
    records,
  });
}

export function handleQuery(state: EmulatorState, req: ApiRequest, includeDeleted: boolean): Reply {
  const soql = req.query.get('q');
  if (!soql) throw new ApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
  const now = state.clock.now();
  for (const [id, old] of state.cursors) if (now - old.createdAt > CURSOR_TTL_MS) state.cursors.delete(id);
  const q = compileSoql(state.org, soql, now);
  const ids = runQuery(state.org, q, includeDeleted);
  if (q.count) return json(200, { totalSize: ids.length, done: true, records: [] });
  // The cursor id alone says whether it is a queryAll cursor: jsforce always follows up with /query/<locator>.
  const cursor: QueryCursor = { id: state.ids.next(KEY_PREFIXES.QueryLocator), object: q.object, select: q.select, ids, pageSize: pageSize(state, req), includeDeleted, createdAt: now };
  state.cursors.set(cursor.id, cursor);
  return page(state, cursor, 0, req.version);
}

export function handleQueryMore(state: EmulatorState, req: ApiRequest, locator: string): Reply {
  const m = /^([a-zA-Z0-9]{18})-(\d+)$/.exec(locator);
  const cursor = m ? state.cursors.get(m[1]!) : undefined;
  if (!m || !cursor || state.clock.now() - cursor.createdAt > CURSOR_TTL_MS) {
    if (cursor) state.cursors.delete(cursor.id);
    throw new ApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
  }
  return page(state, cursor, Number(m[2]), req.version);
}
