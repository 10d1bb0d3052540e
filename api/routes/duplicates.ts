import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { startDuplicateScan } from '../../services/duplicates/start-scan';
import { dismissPair, listClusters } from '../../services/duplicates/duplicates';
import { getScan } from '../../services/duplicates/scans';
import { getMerge, requestMerge, undoMerge } from '../../services/merges/merges';
import { actorOf } from '../actor';
import { errorResponseSchema, standardErrors } from '../errors';
import { idParams, pageSchema } from '../schemas/common';
import { clusterListQuery, clusterSchema, mergeBody, mergeSchema, scanSchema, toClusterJson, toMergeJson, toScanJson, toUndoJson, undoSchema } from '../schemas/duplicates';
import { z } from 'zod';
import type { ApiDeps } from '../types';

const errors = { ...standardErrors, 409: errorResponseSchema };

/** Duplicate detection (scans, clusters, dismissals) and contact merges with undo. */
export function duplicateRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/v1/duplicates/scan', {
    config: { permission: 'duplicates:write', auditEntity: 'duplicate_scan' },
    schema: { tags: ['duplicates'], summary: 'Start a duplicate scan (202); while one runs, 200 with the running scan', response: { 200: scanSchema, 202: scanSchema, ...errors } },
  }, async (req, reply) => {
    const { scan, started } = await startDuplicateScan(deps, actorOf(req));
    return reply.code(started ? 202 : 200).send(toScanJson(scan));
  });

  r.get('/v1/duplicates/scans/:id', {
    config: { permission: 'jobs:read' },
    schema: { tags: ['duplicates'], summary: 'A duplicate scan and its counts (no personal data)', params: idParams, response: { 200: scanSchema, ...errors } },
  }, async (req) => toScanJson(await getScan(db, req.params.id)));

  r.get('/v1/duplicates', {
    config: { permission: 'duplicates:read' },
    schema: { tags: ['duplicates'], summary: "Duplicate clusters with each member's reasons (cursor pagination; ?contactId= for one contact's cluster)", querystring: clusterListQuery, response: { 200: pageSchema(clusterSchema), ...errors } },
  }, async (req) => {
    const { rows, nextCursor } = await listClusters(db, req.query);
    return { items: rows.map(toClusterJson), nextCursor };
  });

  r.post('/v1/duplicates/:id/dismiss', {
    config: { permission: 'duplicates:write', auditEntity: 'duplicate_pair' },
    schema: { tags: ['duplicates'], summary: 'Dismiss a candidate pair ("not a duplicate"): later scans keep it dismissed', params: idParams, response: { 200: z.object({ id: z.string(), status: z.literal('dismissed') }), ...errors } },
  }, async (req) => dismissPair(db, req.params.id, actorOf(req)));

  r.post('/v1/contacts/:id/merge', {
    config: { permission: 'contacts:write', auditEntity: 'contact' },
    schema: { tags: ['duplicates'], summary: 'Merge duplicates into this contact (202; the merge-<id> workflow moves everything, undoable)', params: idParams, body: mergeBody, response: { 202: mergeSchema, ...errors } },
  }, async (req, reply) => reply.code(202).send(toMergeJson(await requestMerge(deps, req.params.id, req.body, actorOf(req)))));

  r.get('/v1/merges/:id', {
    config: { permission: 'contacts:read' },
    schema: { tags: ['duplicates'], summary: 'A merge: status, what moved, until when it can be undone', params: idParams, response: { 200: mergeSchema, ...errors } },
  }, async (req) => toMergeJson(await getMerge(db, req.params.id)));

  r.post('/v1/merges/:id/undo', {
    config: { permission: 'contacts:write', auditEntity: 'merge' },
    schema: { tags: ['duplicates'], summary: 'Undo a merge within MERGE_UNDO_WINDOW: the duplicates return and what moved moves back', params: idParams, response: { 200: undoSchema, ...errors } },
  }, async (req) => toUndoJson(await undoMerge(deps, req.params.id, actorOf(req))));
}
