import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { connectorService, toConnectorJson } from '../../services/sync/connectors';
import { listCycles } from '../../services/sync/cycle-list';
import { connectorHealth } from '../../services/sync/health';
import { linksOfLocal, listRecords, recordView } from '../../services/sync/record-views';
import { listReviewItems, resolveReviewItem } from '../../services/sync/review';
import { requireContactExists } from '../../services/contacts/contacts';
import { actorOf } from '../actor';
import { errorResponseSchema, standardErrors } from '../errors';
import { idParams, pageQuery, pageSchema } from '../schemas/common';
import {
  connectorSchema, contactSyncSchema, createConnectorBody, cycleSchema, externalIdParams, healthSchema, recordListQuery, resolveReviewBody, reviewItemParams,
  reviewItemSchema, reviewListQuery, syncRecordSchema, toCycleJson, toReviewJson, updateConnectorBody,
} from '../schemas/connectors';
import type { ApiDeps } from '../types';

const errors = standardErrors;
const writeErrors = { ...errors, 409: errorResponseSchema, 503: errorResponseSchema };
/** The lifecycle endpoints take no body; a stray field is named rather than ignored. */
const noBody = z.strictObject({}).nullish();

/** CRM sync connectors (README "CRM sync with Salesforce"): admins configure, operators read status and health. */
export function connectorRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const connectors = connectorService(deps);
  const tags = ['connectors'];

  r.post('/v1/connectors', {
    config: { permission: 'connectors:write', auditEntity: 'connector' },
    schema: { tags, summary: 'Create a connector (its client secret is stored encrypted, never returned) and start its sync loop', body: createConnectorBody, response: { 201: connectorSchema, ...writeErrors } },
  }, async (req, reply) => reply.code(201).send(toConnectorJson(await connectors.create(req.body, actorOf(req)))));

  r.get('/v1/connectors', {
    config: { permission: 'connectors:read' },
    schema: { tags, summary: 'List connectors', querystring: z.strictObject(pageQuery), response: { 200: pageSchema(connectorSchema), ...errors } },
  }, async (req) => {
    const { rows, nextCursor } = await connectors.list(req.query);
    return { items: rows.map(toConnectorJson), nextCursor };
  });

  r.get('/v1/connectors/:id', {
    config: { permission: 'connectors:read' },
    schema: { tags, summary: 'Get a connector (status, last error, settings without the secret)', params: idParams, response: { 200: connectorSchema, ...errors } },
  }, async (req) => toConnectorJson(await connectors.get(req.params.id)));

  r.patch('/v1/connectors/:id', {
    config: { permission: 'connectors:write', auditEntity: 'connector' },
    schema: { tags, summary: 'Change a connector: settings are merged; a decision-changing setting re-decides every record from its stored snapshot', params: idParams, body: updateConnectorBody, response: { 200: connectorSchema, ...writeErrors } },
  }, async (req) => toConnectorJson(await connectors.update(req.params.id, req.body)));

  r.delete('/v1/connectors/:id', {
    config: { permission: 'connectors:write', auditEntity: 'connector' },
    schema: { tags, summary: 'Delete a connector: its loop stops; local contacts and companies stay', params: idParams, response: { 204: z.null(), ...writeErrors } },
  }, async (req, reply) => {
    await connectors.remove(req.params.id);
    return reply.code(204).send(null);
  });

  for (const [action, summary] of [
    ['pause', 'Pause the sync loop (after the running cycle)'],
    ['resume', 'Resume the sync loop (also after CRM_AUTH_FAILED)'],
    ['sync-now', 'Run a cycle now'],
    ['resync', 'Read every object again in full on a cycle started now, and diff it against what was synced'],
  ] as const) {
    r.post(`/v1/connectors/:id/${action}`, {
      config: { permission: 'connectors:write', auditEntity: 'connector' },
      schema: { tags, summary, params: idParams, body: noBody, response: { 202: connectorSchema, ...writeErrors } },
    }, async (req, reply) => {
      const id = req.params.id;
      const row = action === 'pause' ? await connectors.pause(id) : action === 'resume' ? await connectors.resume(id) : action === 'sync-now' ? await connectors.syncNow(id) : await connectors.resync(id);
      return reply.code(202).send(toConnectorJson(row));
    });
  }

  r.get('/v1/connectors/:id/cycles', {
    config: { permission: 'connectors:read' },
    schema: { tags, summary: 'Cycles, newest first: start, end, records read / applied / skipped by code, API calls, budget left, errors', params: idParams, querystring: z.strictObject(pageQuery), response: { 200: pageSchema(cycleSchema), ...errors } },
  }, async (req) => {
    const { rows, nextCursor } = await listCycles(deps.db, req.params.id, req.query);
    return { items: rows.map(toCycleJson), nextCursor };
  });

  r.get('/v1/connectors/:id/health', {
    config: { permission: 'connectors:read' },
    schema: { tags, summary: 'Sync health: API calls in 24 h against the allowance, errors by code with affected records, queue length and age, cursor age per object, last successful cycle', params: idParams, response: { 200: healthSchema, ...errors } },
  }, async (req) => connectorHealth(deps.db, req.params.id));

  r.get('/v1/connectors/:id/records', {
    config: { permission: 'connectors:read' },
    schema: { tags, summary: 'CRM records by status or code (status=queued or code=QUEUED_OVER_CAP: the queue)', params: idParams, querystring: recordListQuery, response: { 200: pageSchema(syncRecordSchema), ...errors } },
  }, async (req) => {
    const { id } = req.params;
    const { rows, nextCursor } = await listRecords(deps.db, id, req.query);
    return { items: rows, nextCursor };
  });

  r.get('/v1/connectors/:id/records/:externalId', {
    config: { permission: 'connectors:read' },
    schema: { tags, summary: 'Why a CRM record did (not) sync: every rule with pass/fail, the last decision and its cycle, the link, which side last wrote each field', params: externalIdParams, response: { 200: syncRecordSchema, ...errors } },
  }, async (req) => recordView(deps.db, req.params.id, req.params.externalId));

  r.get('/v1/connectors/:id/review-queue', {
    config: { permission: 'connectors:read' },
    schema: { tags, summary: 'Possible duplicates waiting for a person (POSSIBLE_DUPLICATE)', params: idParams, querystring: reviewListQuery, response: { 200: pageSchema(reviewItemSchema), ...errors } },
  }, async (req) => {
    const { rows, nextCursor } = await listReviewItems(deps.db, req.params.id, req.query);
    return { items: rows.map(toReviewJson), nextCursor };
  });

  r.post('/v1/connectors/:id/review-queue/:itemId/resolve', {
    config: { permission: 'connectors:write', auditEntity: 'connector' },
    schema: { tags, summary: 'Resolve a possible duplicate: link it to an existing local record, or create a new one', params: reviewItemParams, body: resolveReviewBody, response: { 200: reviewItemSchema, ...writeErrors } },
  }, async (req) => toReviewJson(await resolveReviewItem({ db: deps.db, temporal: deps.temporal, config: deps.config, log: req.log }, req.params.id, req.params.itemId, req.body, actorOf(req))));

  r.get('/v1/contacts/:id/sync', {
    config: { permission: 'contacts:read' },
    schema: { tags: ['contacts', 'connectors'], summary: "The contact's CRM links: per linked record, every rule with pass/fail, the last decision and its cycle, which side last wrote each field", params: idParams, response: { 200: contactSyncSchema, ...errors } },
  }, async (req) => {
    await requireContactExists(deps.db, req.params.id);
    return { contactId: req.params.id, links: await linksOfLocal(deps.db, 'contact', req.params.id) };
  });
}
