/**
 * sObject Collections: POST /composite/sobjects/{T} is a retrieve (≤ 2 000 ids, `null` for ids not visible),
 * POST / PATCH / DELETE /composite/sobjects and PATCH /composite/sobjects/{T}/{extField} are writes
 * (≤ 200 records, HTTP 200 with per-row results, allOrNone rolls everything back).
 */
import { normaliseId } from './ids';
import type { WriteOutcome } from './org';
import { renderJson } from './soql';
import { recordBody, requireObject, selectFields } from './sobjects';
import { jsonBody, type ApiRequest, type EmulatorState } from './state';
import { ApiError, json, rowError, type Reply } from './wire';

const MAX_WRITE = 200;
const MAX_RETRIEVE = 2000;

export function handleRetrieve(state: EmulatorState, req: ApiRequest, objectName: string): Reply {
  const def = requireObject(state, objectName);
  let ids: unknown;
  let fields: unknown;
  if (req.method === 'GET') {
    ids = req.query.get('ids')?.split(',');
    fields = req.query.get('fields')?.split(',');
  } else {
    ({ ids, fields } = recordBody(req));
  }
  if (!Array.isArray(ids) || ids.length === 0) throw new ApiError(400, 'MISSING_ARGUMENT', 'ids is required');
  if (!Array.isArray(fields) || fields.length === 0) throw new ApiError(400, 'MISSING_ARGUMENT', 'fields is required');
  if (ids.length > MAX_RETRIEVE) throw new ApiError(400, 'EXCEEDED_ID_LIMIT', `cannot retrieve more than ${MAX_RETRIEVE} records in one call`);
  const select = selectFields(def, fields.map(String));
  return json(
    200,
    ids.map((id) => {
      const id18 = typeof id === 'string' ? normaliseId(id) : undefined;
      const rec = id18 ? state.org.table(def.name).get(id18) : undefined;
      return rec && !rec.IsDeleted ? renderJson(state.org, def, rec, select, req.version) : null;
    }),
  );
}

type Item = { id?: string; success: boolean; errors: Array<{ statusCode: string; message: string; fields: string[] }>; created?: boolean };

/** Runs each row; with allOrNone any failure rolls back all rows and marks the good ones ALL_OR_NONE_OPERATION_ROLLED_BACK. */
function runRows(state: EmulatorState, allOrNone: boolean, rows: Array<() => WriteOutcome & { knownId?: string }>, withCreated: boolean): Item[] {
  return state.org.transaction(() => {
    const outcomes = rows.map((row) => row());
    const anyFailed = outcomes.some((o) => !o.ok);
    const items: Item[] = outcomes.map((o) => {
      if (!o.ok) return { ...(o.knownId ? { id: o.knownId } : {}), success: false, errors: o.errors };
      if (allOrNone && anyFailed) {
        return { success: false, errors: [rowError('ALL_OR_NONE_OPERATION_ROLLED_BACK', 'Record rolled back because not all records were valid and the request was using AllOrNone header')] };
      }
      return { id: o.id, success: true, errors: [], ...(withCreated ? { created: o.created } : {}) };
    });
    return { commit: !(allOrNone && anyFailed), value: items };
  });
}

function writeBody(req: ApiRequest): { allOrNone: boolean; records: Array<Record<string, unknown>> } {
  const body = recordBody(req);
  const records = body.records;
  if (!Array.isArray(records)) throw new ApiError(400, 'JSON_PARSER_ERROR', 'records is required');
  if (records.length > MAX_WRITE) throw new ApiError(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_WRITE} records into this call`);
  return { allOrNone: body.allOrNone === true, records: records as Array<Record<string, unknown>> };
}

function typeOf(rec: Record<string, unknown>): string {
  const attrs = rec.attributes as { type?: unknown } | undefined;
  if (!attrs || typeof attrs.type !== 'string') throw new ApiError(400, 'INVALID_TYPE', 'Each record must have attributes.type');
  return attrs.type;
}

export function handleCollectionCreate(state: EmulatorState, req: ApiRequest): Reply {
  const { allOrNone, records } = writeBody(req);
  const rows = records.map((rec) => {
    const type = requireObject(state, typeOf(rec)).name;
    if (rec.id !== undefined || rec.Id !== undefined) return () => ({ ok: false as const, errors: [rowError('INVALID_FIELD', 'cannot specify Id in an insert call', ['Id'])] });
    return () => state.org.create(type, rec);
  });
  return json(200, runRows(state, allOrNone, rows, false));
}

export function handleCollectionUpdate(state: EmulatorState, req: ApiRequest): Reply {
  const { allOrNone, records } = writeBody(req);
  const rows = records.map((rec) => {
    const type = requireObject(state, typeOf(rec)).name;
    const { id, Id, ...fields } = rec;
    const recordId = (id ?? Id) as string | undefined;
    return () => ({ ...state.org.update(type, recordId, fields), knownId: recordId });
  });
  return json(200, runRows(state, allOrNone, rows, false));
}

export function handleCollectionUpsert(state: EmulatorState, req: ApiRequest, objectName: string, extField: string): Reply {
  const def = requireObject(state, objectName);
  const { allOrNone, records } = writeBody(req);
  const rows = records.map((rec) => () => state.org.upsert(def.name, extField, rec));
  return json(200, runRows(state, allOrNone, rows, true));
}

export function handleCollectionDelete(state: EmulatorState, req: ApiRequest): Reply {
  const ids = (req.query.get('ids') ?? '').split(',').filter((s) => s !== '');
  if (ids.length === 0) throw new ApiError(400, 'MISSING_ARGUMENT', 'ids is required');
  if (ids.length > MAX_WRITE) throw new ApiError(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_WRITE} records into this call`);
  const allOrNone = req.query.get('allOrNone') === 'true';
  void jsonBody;
  return json(200, runRows(state, allOrNone, ids.map((id) => () => ({ ...state.org.delete(id), knownId: id })), false));
}
