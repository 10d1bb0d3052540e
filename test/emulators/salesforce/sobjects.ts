/** Single-record CRUD, describe and describeGlobal under /sobjects. */
import { normaliseId } from './ids';
import type { WriteOutcome } from './org';
import { OBJECTS, findField, type ObjectDef } from './schema';
import { renderJson, type FieldPath } from './soql';
import { jsonBody, type ApiRequest, type EmulatorState } from './state';
import { ApiError, json, noContent, type Reply } from './wire';

export function requireObject(state: EmulatorState, name: string): ObjectDef {
  const def = OBJECTS[Object.keys(OBJECTS).find((k) => k.toLowerCase() === name.toLowerCase()) ?? ''];
  if (!def) throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
  void state;
  return def;
}

export function recordBody(req: ApiRequest): Record<string, unknown> {
  const body = jsonBody(req);
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'JSON_PARSER_ERROR', 'The request body is not a JSON object');
  return body as Record<string, unknown>;
}

/** Field list for `?fields=` / collection retrieve; INVALID_FIELD on unknown names. */
export function selectFields(def: ObjectDef, names: string[] | undefined): FieldPath[] {
  const chosen = names && names.length > 0 ? names : def.fields.map((f) => f.name);
  return chosen.map((name) => {
    const field = findField(def, name.trim());
    if (!field) throw new ApiError(400, 'INVALID_FIELD', `No such column '${name}' on entity '${def.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`);
    return { name: field.name, hops: [], field };
  });
}

/** A failed single-record write: 400 with the row's errors as the top-level error array. */
function failed(outcome: WriteOutcome): Reply {
  if (outcome.ok) throw new Error('not a failure');
  const status = outcome.errors.some((e) => e.statusCode === 'ENTITY_IS_DELETED' || e.statusCode === 'INVALID_CROSS_REFERENCE_KEY') ? 404 : 400;
  return json(status, outcome.errors.map((e) => ({ message: e.message, errorCode: e.statusCode === 'INVALID_CROSS_REFERENCE_KEY' ? 'NOT_FOUND' : e.statusCode, fields: e.fields })));
}

export function handleCreate(state: EmulatorState, req: ApiRequest, def: ObjectDef): Reply {
  const outcome = state.org.create(def.name, recordBody(req));
  return outcome.ok ? json(201, { id: outcome.id, success: true, errors: [] }) : failed(outcome);
}

export function handleGet(state: EmulatorState, req: ApiRequest, def: ObjectDef, id: string): Reply {
  const id18 = normaliseId(id);
  const found = id18 ? state.org.table(def.name).get(id18) : undefined;
  if (!found) throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
  if (found.IsDeleted) throw new ApiError(404, 'ENTITY_IS_DELETED', 'entity is deleted', []);
  const fields = req.query.get('fields')?.split(',');
  return json(200, renderJson(state.org, def, found, selectFields(def, fields), req.version));
}

export function handleUpdate(state: EmulatorState, req: ApiRequest, def: ObjectDef, id: string): Reply {
  const outcome = state.org.update(def.name, id, recordBody(req));
  return outcome.ok ? noContent() : failed(outcome);
}

export function handleDelete(state: EmulatorState, def: ObjectDef, id: string): Reply {
  const outcome = state.org.delete(id, def.name);
  return outcome.ok ? noContent() : failed(outcome);
}

/** PATCH /sobjects/{T}/{extField}/{value}: 201 created, 204 updated. */
export function handleUpsertByExternalId(state: EmulatorState, req: ApiRequest, def: ObjectDef, extField: string, value: string): Reply {
  const body = { ...recordBody(req), [extField]: decodeURIComponent(value) };
  const outcome = state.org.upsert(def.name, extField, body);
  if (!outcome.ok) return failed(outcome);
  return outcome.created ? json(201, { id: outcome.id, success: true, errors: [], created: true }) : noContent();
}

export function describe(def: ObjectDef, version: string): Record<string, unknown> {
  const replicated = def.name !== 'User';
  return {
    name: def.name,
    label: def.label,
    keyPrefix: def.keyPrefix,
    custom: false,
    createable: true,
    updateable: true,
    deletable: replicated,
    undeletable: replicated,
    mergeable: replicated,
    queryable: true,
    replicateable: true,
    retrieveable: true,
    fields: def.fields.map((f) => ({
      name: f.name,
      label: f.label,
      type: f.type,
      length: f.length ?? 0,
      nillable: f.nillable,
      createable: f.createable,
      updateable: f.updateable,
      unique: f.unique ?? false,
      externalId: f.externalId ?? false,
      idLookup: f.type === 'id' || (f.externalId ?? false),
      custom: f.name.endsWith('__c'),
      defaultedOnCreate: f.defaultValue !== undefined || !f.createable,
      defaultValue: f.defaultValue ?? null,
      referenceTo: f.referenceToAny ?? (f.referenceTo ? [f.referenceTo] : []),
      relationshipName: f.relationshipName ?? null,
      picklistValues: (f.picklistValues ?? []).map((value) => ({ value, label: value, active: true, defaultValue: value === f.defaultValue })),
    })),
    urls: { sobject: `/services/data/v${version}/sobjects/${def.name}`, describe: `/services/data/v${version}/sobjects/${def.name}/describe` },
  };
}

export function describeGlobal(version: string): Record<string, unknown> {
  return {
    encoding: 'UTF-8',
    maxBatchSize: 200,
    sobjects: Object.values(OBJECTS).map((def) => ({
      name: def.name,
      label: def.label,
      keyPrefix: def.keyPrefix,
      custom: false,
      queryable: true,
      replicateable: true,
      urls: { sobject: `/services/data/v${version}/sobjects/${def.name}`, describe: `/services/data/v${version}/sobjects/${def.name}/describe` },
    })),
  };
}
