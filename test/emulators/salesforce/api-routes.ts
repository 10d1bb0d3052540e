/** The REST routes under /services/data/vXX.X (salesforce-wire.md §11.1), matched in order. */
import {
  createIngestJob, createQueryJob, deleteIngestJob, deleteQueryJob, getIngestJob, getQueryJob, ingestResults,
  patchIngestJob, patchQueryJob, queryResults, uploadIngestData,
} from './bulk-jobs';
import { handleCollectionCreate, handleCollectionDelete, handleCollectionUpdate, handleCollectionUpsert, handleRetrieve } from './collections';
import { handleDeleted, handleUpdated } from './replication';
import { handleQuery, handleQueryMore } from './rest-query';
import {
  describe, describeGlobal, handleCreate, handleDelete, handleGet, handleUpdate, handleUpsertByExternalId, requireObject,
} from './sobjects';
import type { ApiRequest, EmulatorState } from './state';
import { ApiError, json, type Reply } from './wire';

type Handler = (state: EmulatorState, req: ApiRequest, params: string[]) => Reply;
interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

const seg = '([^/]+)';
const route = (method: string, path: string, handler: Handler): Route => ({ method, pattern: new RegExp(`^${path}/?$`), handler });

export function limitsBody(state: EmulatorState): Record<string, { Max: number; Remaining: number }> {
  return {
    DailyApiRequests: { Max: state.limits.max, Remaining: Math.max(0, state.limits.max - state.limits.used) },
    DailyBulkApiBatches: { Max: 15000, Remaining: 15000 },
    DailyBulkV2QueryJobs: { Max: 10000, Remaining: Math.max(0, 10000 - state.queryJobs.size) },
    DailyBulkV2QueryFileStorageMB: { Max: 976562, Remaining: 976562 },
    DataStorageMB: { Max: 1024, Remaining: 1000 },
  };
}

const ROUTES: Route[] = [
  route('GET', '', (_s, req) => json(200, {
    sobjects: `/services/data/v${req.version}/sobjects`, query: `/services/data/v${req.version}/query`, queryAll: `/services/data/v${req.version}/queryAll`,
    limits: `/services/data/v${req.version}/limits`, composite: `/services/data/v${req.version}/composite`, jobs: `/services/data/v${req.version}/jobs`,
  })),
  route('GET', '/limits', (s) => json(200, limitsBody(s))),
  route('GET', '/query', (s, req) => handleQuery(s, req, false)),
  route('GET', '/queryAll', (s, req) => handleQuery(s, req, true)),
  route('GET', `/(?:query|queryAll)/${seg}`, (s, req, [loc]) => handleQueryMore(s, req, loc!)),
  route('GET', '/sobjects', (_s, req) => json(200, describeGlobal(req.version))),
  route('GET', `/sobjects/${seg}/updated`, (s, req, [t]) => handleUpdated(s, req, requireObject(s, t!))),
  route('GET', `/sobjects/${seg}/deleted`, (s, req, [t]) => handleDeleted(s, req, requireObject(s, t!))),
  route('GET', `/sobjects/${seg}/describe`, (s, req, [t]) => json(200, describe(requireObject(s, t!), req.version))),
  route('GET', `/sobjects/${seg}`, (s, req, [t]) => json(200, { objectDescribe: describe(requireObject(s, t!), req.version), recentItems: [] })),
  route('POST', `/sobjects/${seg}`, (s, req, [t]) => handleCreate(s, req, requireObject(s, t!))),
  route('PATCH', `/sobjects/${seg}/${seg}/${seg}`, (s, req, [t, f, v]) => handleUpsertByExternalId(s, req, requireObject(s, t!), f!, v!)),
  route('GET', `/sobjects/${seg}/${seg}`, (s, req, [t, id]) => handleGet(s, req, requireObject(s, t!), id!)),
  route('PATCH', `/sobjects/${seg}/${seg}`, (s, req, [t, id]) => handleUpdate(s, req, requireObject(s, t!), id!)),
  route('DELETE', `/sobjects/${seg}/${seg}`, (s, _req, [t, id]) => handleDelete(s, requireObject(s, t!), id!)),
  route('POST', '/composite/sobjects', (s, req) => handleCollectionCreate(s, req)),
  route('PATCH', '/composite/sobjects', (s, req) => handleCollectionUpdate(s, req)),
  route('DELETE', '/composite/sobjects', (s, req) => handleCollectionDelete(s, req)),
  route('POST', `/composite/sobjects/${seg}`, (s, req, [t]) => handleRetrieve(s, req, t!)),
  route('GET', `/composite/sobjects/${seg}`, (s, req, [t]) => handleRetrieve(s, req, t!)),
  route('PATCH', `/composite/sobjects/${seg}/${seg}`, (s, req, [t, f]) => handleCollectionUpsert(s, req, t!, f!)),
  route('POST', '/jobs/ingest', (s, req) => createIngestJob(s, req)),
  route('PUT', `/jobs/ingest/${seg}/batches`, (s, req, [id]) => uploadIngestData(s, req, id!)),
  route('PATCH', `/jobs/ingest/${seg}`, (s, req, [id]) => patchIngestJob(s, req, id!)),
  route('GET', `/jobs/ingest/${seg}`, (s, _req, [id]) => getIngestJob(s, id!)),
  route('GET', `/jobs/ingest/${seg}/(successfulResults|failedResults|unprocessedrecords)`, (s, _req, [id, kind]) =>
    ingestResults(s, id!, kind as 'successfulResults' | 'failedResults' | 'unprocessedrecords')),
  route('DELETE', `/jobs/ingest/${seg}`, (s, _req, [id]) => deleteIngestJob(s, id!)),
  route('POST', '/jobs/query', (s, req) => createQueryJob(s, req)),
  route('GET', `/jobs/query/${seg}`, (s, _req, [id]) => getQueryJob(s, id!)),
  route('GET', `/jobs/query/${seg}/results`, (s, req, [id]) => queryResults(s, req, id!)),
  route('PATCH', `/jobs/query/${seg}`, (s, req, [id]) => patchQueryJob(s, req, id!)),
  route('DELETE', `/jobs/query/${seg}`, (s, _req, [id]) => deleteQueryJob(s, id!)),
];

export function dispatchApi(state: EmulatorState, req: ApiRequest): Reply {
  let pathMatched = false;
  for (const r of ROUTES) {
    const m = r.pattern.exec(req.path);
    if (!m) continue;
    pathMatched = true;
    if (r.method !== req.method) continue;
    return r.handler(state, req, m.slice(1).map((p) => decodeURIComponent(p)));
  }
  if (pathMatched) throw new ApiError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed. Allowed are GET, HEAD, PATCH, POST, DELETE`);
  throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
}
