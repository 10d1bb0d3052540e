import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { receiptsOf, toReceiptView, verifyReceiptChain } from '../../services/erasure/receipts';
import { erasureService } from '../../services/erasure/requests';
import { ServiceError } from '../../services/errors';
import { actorOf } from '../actor';
import { errorResponseSchema, standardErrors } from '../errors';
import { idParams, pageSchema } from '../schemas/common';
import { createErasureBody, erasureListQuery, erasureReceiptSchema, erasureRequestSchema, extendErasureBody, receiptChainSchema } from '../schemas/erasure';
import type { ApiDeps } from '../types';

const errors = standardErrors;
const writeErrors = { ...errors, 409: errorResponseSchema, 503: errorResponseSchema };

/** GDPR erasure (compliance requests and extends; admins, compliance and operators read). No personal data in any answer. */
export function erasureRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const erasure = erasureService({ ...deps, ...(deps.clock && { now: () => new Date(deps.clock!()) }) });

  r.post('/v1/erasure-requests', {
    config: { permission: 'erasure:write', auditEntity: 'erasure_request' },
    schema: {
      tags: ['erasure'],
      summary: 'Request GDPR erasure of a contact or an address (202 accepted; 200 with the live request for the same subject)',
      body: createErasureBody,
      response: { 200: erasureRequestSchema, 202: erasureRequestSchema, ...writeErrors },
    },
  }, async (req, reply) => {
    const { receivedAt, ...rest } = req.body;
    const { view, created } = await erasure.request({ ...rest, ...(receivedAt !== undefined && { receivedAt: new Date(receivedAt) }) }, actorOf(req));
    return reply.code(created ? 202 : 200).send(view);
  });

  r.get('/v1/erasure-requests', {
    config: { permission: 'erasure:read' },
    schema: { tags: ['erasure'], summary: 'List erasure requests (cursor pagination; filter by status, overdue=true)', querystring: erasureListQuery, response: { 200: pageSchema(erasureRequestSchema), ...errors } },
  }, async (req) => {
    const { rows, nextCursor } = await erasure.list(req.query);
    return { items: rows, nextCursor };
  });

  r.get('/v1/erasure-requests/:id', {
    config: { permission: 'erasure:read' },
    schema: { tags: ['erasure'], summary: 'An erasure request: status, each step and system with its code, retained references, deadline', params: idParams, response: { 200: erasureRequestSchema, ...errors } },
  }, async (req) => erasure.get(req.params.id));

  r.post('/v1/erasure-requests/:id/extend', {
    config: { permission: 'erasure:write', auditEntity: 'erasure_request' },
    schema: { tags: ['erasure'], summary: 'Extend the deadline (GDPR Art. 12(3)): once, within the first month, by 1 or 2 months', params: idParams, body: extendErasureBody, response: { 200: erasureRequestSchema, ...errors, 409: errorResponseSchema } },
  }, async (req) => erasure.extend(req.params.id, req.body));

  r.get('/v1/erasure-requests/:id/receipt', {
    config: { permission: 'erasure:read' },
    schema: { tags: ['erasure'], summary: "The request's receipt (a link of the hash chain), with later retention-end receipts", params: idParams, response: { 200: erasureReceiptSchema, ...errors } },
  }, async (req) => {
    await erasure.get(req.params.id);
    const [first, ...rest] = await receiptsOf(deps.db, req.params.id);
    if (!first) throw new ServiceError('not_found', 'RECEIPT_NOT_READY', `Erasure request ${req.params.id} has not completed yet, so it has no receipt.`);
    return { ...toReceiptView(first), followUps: rest.map(toReceiptView) };
  });

  r.get('/v1/erasure-receipts/verify', {
    config: { permission: 'erasure:read' },
    schema: { tags: ['erasure'], summary: 'Recompute the receipts hash chain; names the first broken link', response: { 200: receiptChainSchema, ...errors } },
  }, async () => {
    const verdict = await verifyReceiptChain(deps.db);
    if (verdict.ok) return { ok: true, receipts: verdict.receipts, lastHash: verdict.lastHash, message: `All ${verdict.receipts} receipt(s) link up.` };
    const { brokenAt } = verdict;
    const what = brokenAt.problem === 'hash_mismatch' ? 'its contents do not match its hash (edited)' : "its previous-hash does not match the receipt before it (removed, inserted or re-hashed)";
    return { ok: false, receipts: verdict.receipts, brokenAt, message: `The chain breaks at receipt #${brokenAt.seq} (erasure request ${brokenAt.requestId}): ${what}. ${verdict.checked} receipt(s) before it verify.` };
  });
}
