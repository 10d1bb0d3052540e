import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { dryRun } from '../../services/sync/dry-run';
import { listOutbound } from '../../services/sync/outbound-views';
import { recordHistory } from '../../services/sync/record-history';
import { getReplay, startReplay, toReplayJson } from '../../services/sync/replay';
import { notFound } from '../../services/errors';
import { requireSetting } from '../../domain/config';
import { actorOf } from '../actor';
import { errorResponseSchema, standardErrors } from '../errors';
import { idParams, pageSchema } from '../schemas/common';
import { externalIdParams } from '../schemas/connectors';
import { dryRunBody, dryRunSchema, outboundEntrySchema, outboundListQuery, recordHistorySchema, replayBody, replayParams, replaySchema } from '../schemas/connectors-two-way';
import type { ApiDeps } from '../types';

const errors = standardErrors;
const writeErrors = { ...errors, 409: errorResponseSchema, 503: errorResponseSchema };

/** Two-way CRM sync (README "CRM sync with Salesforce", "Outbound, dry run, replay"): the outbound queue, dry runs, replays, a record's history. */
export function connectorTwoWayRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['connectors'];

  r.get('/v1/connectors/:id/outbound', {
    config: { permission: 'connectors:read' },
    schema: { tags, summary: 'The outbound queue: local records waiting to be pushed, parked by a rule (code, checks) or refused by the CRM (errorCode, attempts)', params: idParams, querystring: outboundListQuery, response: { 200: pageSchema(outboundEntrySchema), ...errors } },
  }, async (req) => {
    const { rows, nextCursor } = await listOutbound(deps.db, req.params.id, req.query);
    return { items: rows, nextCursor };
  });

  r.post('/v1/connectors/:id/dry-run', {
    config: { permission: 'connectors:write' },
    schema: { tags, summary: 'What a settings change would do, without writing: records that would be created, updated, stop syncing, resume, freeze, be deleted or skipped, by code, with samples — decided by the loop\'s own rule code', params: idParams, body: dryRunBody, response: { 200: dryRunSchema, ...writeErrors } },
  }, async (req) => dryRun(deps.db, { connectorId: req.params.id, settings: req.body.settings, erasureSecret: requireSetting(deps.config, 'ERASURE_HASH_SECRET') }));

  r.post('/v1/connectors/:id/replay', {
    config: { permission: 'connectors:write', auditEntity: 'connector' },
    schema: { tags, summary: 'Re-apply the CRM changes of a past window from stored snapshots, as a cycle of kind replay (started now)', params: idParams, body: replayBody, response: { 202: replaySchema, ...writeErrors } },
  }, async (req, reply) => reply.code(202).send(toReplayJson(await startReplay(deps, req.params.id, { from: new Date(req.body.from), to: new Date(req.body.to) }, actorOf(req)))));

  r.get('/v1/connectors/:id/replays/:replayId', {
    config: { permission: 'connectors:read' },
    schema: { tags, summary: 'A replay: its window, status, cycle and the records it re-applies', params: replayParams, response: { 200: replaySchema, ...errors } },
  }, async (req) => {
    const row = await getReplay(deps.db, req.params.id, req.params.replayId);
    if (!row) throw notFound('Replay', req.params.replayId);
    return toReplayJson(row);
  });

  r.get('/v1/connectors/:id/records/:externalId/history', {
    config: { permission: 'connectors:read' },
    schema: { tags, summary: "A CRM record's snapshots (changed field names, never values) and decisions over time, with what the connector pushed to it", params: externalIdParams, response: { 200: recordHistorySchema, ...errors } },
  }, async (req) => recordHistory(deps.db, req.params.id, req.params.externalId));
}
