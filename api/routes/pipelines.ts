import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createRule, deleteRule, listRules } from '../../services/deals/rules';
import { wakeAutomationAfterCommit } from '../../services/deals/wake';
import { createPipeline, getPipeline, listPipelines, updatePipeline } from '../../services/pipelines/pipelines';
import { actorOf } from '../actor';
import { errorResponseSchema, standardErrors } from '../errors';
import { idParams, pageQuery, pageSchema } from '../schemas/common';
import { createPipelineBody, pipelineSchema, ruleBody, ruleSchema, toPipelineJson, toRuleJson, updatePipelineBody } from '../schemas/pipelines';
import type { ApiDeps } from '../types';

const errors = standardErrors;
const ruleParams = z.strictObject({ id: z.uuid({ message: 'must be a UUID' }), ruleId: z.uuid({ message: 'must be a UUID' }) });

export function pipelineRoutes(app: FastifyInstance, { db, temporal, config }: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/v1/pipelines', {
    config: { permission: 'pipelines:write', auditEntity: 'pipeline' },
    schema: { tags: ['deals'], summary: 'Create a pipeline (every stage problem named at once: STAGE_NAME_TOO_LONG, STAGE_NAME_DUPLICATE, PIPELINE_WON_LOST_REQUIRED)', body: createPipelineBody, response: { 201: pipelineSchema, ...errors } },
  }, async (req, reply) => reply.code(201).send(toPipelineJson(await createPipeline(db, req.body))));

  r.get('/v1/pipelines', {
    config: { permission: 'pipelines:read' },
    schema: { tags: ['deals'], summary: 'List pipelines with their stages', querystring: z.strictObject(pageQuery), response: { 200: pageSchema(pipelineSchema), ...errors } },
  }, async (req) => {
    const { rows, nextCursor } = await listPipelines(db, req.query);
    return { items: rows.map(toPipelineJson), nextCursor };
  });

  r.get('/v1/pipelines/:id', {
    config: { permission: 'pipelines:read' },
    schema: { tags: ['deals'], summary: 'Get a pipeline', params: idParams, response: { 200: pipelineSchema, ...errors } },
  }, async (req) => toPipelineJson(await getPipeline(db, req.params.id)));

  r.patch('/v1/pipelines/:id', {
    config: { permission: 'pipelines:write', auditEntity: 'pipeline' },
    schema: {
      tags: ['deals'],
      summary: 'Edit a pipeline: stages are the full ordered list (keep ids to keep stages); removing a stage that holds deals needs moveDealsTo',
      params: idParams,
      body: updatePipelineBody,
      response: { 200: pipelineSchema, ...errors },
    },
  }, async (req) => {
    const { view, movedDealIds } = await updatePipeline({ db }, req.params.id, req.body, actorOf(req));
    await wakeAutomationAfterCommit({ db, temporal, config, log: req.log }, movedDealIds);
    return toPipelineJson(view);
  });

  r.post('/v1/pipelines/:id/rules', {
    config: { permission: 'pipelines:write', auditEntity: 'deal_rule' },
    schema: { tags: ['deals'], summary: 'Add a deal automation rule to the pipeline', params: idParams, body: ruleBody, response: { 201: ruleSchema, ...errors } },
  }, async (req, reply) => reply.code(201).send(toRuleJson(await createRule({ db, temporal, config, log: req.log }, req.params.id, req.body, actorOf(req)))));

  r.get('/v1/pipelines/:id/rules', {
    config: { permission: 'pipelines:read' },
    schema: { tags: ['deals'], summary: "The pipeline's automation rules, in firing order", params: idParams, response: { 200: z.object({ items: z.array(ruleSchema) }), ...errors } },
  }, async (req) => ({ items: (await listRules({ db }, req.params.id)).map(toRuleJson) }));

  r.delete('/v1/pipelines/:id/rules/:ruleId', {
    config: { permission: 'pipelines:write', auditEntity: 'deal_rule' },
    schema: { tags: ['deals'], summary: 'Delete a rule (its past firings stay visible)', params: ruleParams, response: { 204: z.null(), 409: errorResponseSchema, ...errors } },
  }, async (req, reply) => {
    await deleteRule({ db }, req.params.id, req.params.ruleId);
    return reply.code(204).send(null);
  });
}
