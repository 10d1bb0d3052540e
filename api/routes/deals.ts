import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Decimal, formatMoney } from '../../domain/deals/money';
import { dealActivities } from '../../services/deals/activities';
import { explainDealForecast } from '../../services/deals/deal-forecast';
import { createDeal, deleteDeal, getDeal, listDeals, logDealActivity, updateDeal, type BasedOn, type DealView } from '../../services/deals/deals';
import { dealDiagnostics } from '../../services/deals/diagnostics';
import { forecast } from '../../services/deals/forecast';
import { stageHistory } from '../../services/deals/history';
import { resolvePeriod } from '../../services/deals/period-query';
import { completeDealTask, listDealTasks } from '../../services/deals/tasks';
import { invalidFields } from '../../services/errors';
import { actorOf } from '../actor';
import { errorResponseSchema, standardErrors } from '../errors';
import { activitySchema, toActivityJson } from '../schemas/activity-log';
import { idParams, pageQuery, pageSchema } from '../schemas/common';
import { createDealBody, dealActivityBody, dealListQuery, dealSchema, ifMatchHeaders, stageHistorySchema, taskSchema, toDealJson, toStageHistoryJson, toTaskJson, updateDealBody } from '../schemas/deals';
import { dealForecastQuery, dealForecastSchema, forecastQuery, forecastSchema } from '../schemas/forecast';
import { toRuleJson } from '../schemas/pipelines';
import type { ApiDeps } from '../types';
import type { TemporalLogger } from '../../temporal/logger';

const errors = standardErrors;
const withConflict = { ...errors, 409: errorResponseSchema };
const money = (amount: string, currency: string) => formatMoney(new Decimal(amount), currency);
const json = (view: DealView) => toDealJson(view, money);
const taskParams = z.strictObject({ id: z.uuid({ message: 'must be a UUID' }), taskId: z.uuid({ message: 'must be a UUID' }) });

/** The version an update is based on: `If-Match: "7"` (an ETag this API issued) or `body.version`; both must agree. */
function basedOn(ifMatch: string | undefined, bodyVersion: number | undefined): BasedOn {
  if (ifMatch === undefined) return { version: bodyVersion, path: 'body.version' };
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(ifMatch.trim());
  if (!m) throw invalidFields([{ path: 'headers.if-match', problem: 'must be the ETag of the deal, e.g. "7"' }]);
  const version = Number(m[1]);
  if (bodyVersion !== undefined && bodyVersion !== version) throw invalidFields([{ path: 'body.version', problem: `disagrees with If-Match (${version})` }]);
  return { version, path: 'headers.if-match' };
}

const withEtag = (reply: FastifyReply, view: DealView) => reply.header('etag', `"${view.deal.version}"`);

export function dealRoutes(app: FastifyInstance, { db, temporal, config }: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const deps = (log: TemporalLogger) => ({ db, temporal, config, log });

  r.post('/v1/deals', {
    config: { permission: 'deals:write', auditEntity: 'deal' },
    schema: { tags: ['deals'], summary: 'Create a deal (amount: decimal string; status follows the stage kind)', body: createDealBody, response: { 201: dealSchema, ...errors } },
  }, async (req, reply) => {
    const view = await createDeal(deps(req.log), req.body, actorOf(req));
    return withEtag(reply, view).code(201).send(json(view));
  });

  r.get('/v1/deals', {
    config: { permission: 'deals:read' },
    schema: { tags: ['deals'], summary: 'List deals (cursor pagination; filter by pipeline, stage, status, owner, company)', querystring: dealListQuery, response: { 200: pageSchema(dealSchema), ...errors } },
  }, async (req) => {
    const { rows, nextCursor } = await listDeals(db, req.query);
    return { items: rows.map(json), nextCursor };
  });

  r.get('/v1/deals/:id', {
    config: { permission: 'deals:read' },
    schema: { tags: ['deals'], summary: 'Get a deal (ETag: its version)', params: idParams, response: { 200: dealSchema, ...errors } },
  }, async (req, reply) => {
    const view = await getDeal(db, req.params.id);
    return withEtag(reply, view).send(json(view));
  });

  r.patch('/v1/deals/:id', {
    config: { permission: 'deals:write', auditEntity: 'deal' },
    schema: {
      tags: ['deals'],
      summary: 'Update or move a deal; send the version it is based on (If-Match or body.version): a stale one is 409 DEAL_VERSION_STALE',
      params: idParams,
      headers: ifMatchHeaders,
      body: updateDealBody,
      response: { 200: dealSchema, ...withConflict },
    },
  }, async (req, reply) => {
    const { version, ...patch } = req.body;
    const view = await updateDeal(deps(req.log), req.params.id, patch, basedOn(req.headers['if-match'], version), actorOf(req));
    return withEtag(reply, view).send(json(view));
  });

  r.delete('/v1/deals/:id', {
    config: { permission: 'deals:write', auditEntity: 'deal' },
    schema: { tags: ['deals'], summary: 'Delete a deal (If-Match optional: a stale one is 409)', params: idParams, headers: ifMatchHeaders, response: { 204: z.null(), ...withConflict } },
  }, async (req, reply) => {
    await deleteDeal(deps(req.log), req.params.id, basedOn(req.headers['if-match'], undefined), actorOf(req));
    return reply.code(204).send(null);
  });

  r.get('/v1/deals/:id/stage-history', {
    config: { permission: 'deals:read' },
    schema: { tags: ['deals'], summary: 'Every stage the deal entered, by whom or by which rule (MOVED_BY_RULE), and rule moves that did not happen (RULE_CONFLICT)', params: idParams, response: { 200: z.object({ items: z.array(stageHistorySchema) }), ...errors } },
  }, async (req) => ({ items: (await stageHistory(db, req.params.id)).map(toStageHistoryJson) }));

  r.get('/v1/deals/:id/forecast', {
    config: { permission: 'deals:read' },
    schema: { tags: ['deals'], summary: 'Why the deal is (not) in the forecast: every rule with pass/fail', params: idParams, querystring: dealForecastQuery, response: { 200: dealForecastSchema, ...errors } },
  }, async (req) => explainDealForecast(db, req.params.id, { ...resolvePeriod(req.query), ...(req.query.pipelineId && { pipelineId: req.query.pipelineId }) }));

  r.get('/v1/deals/:id/diagnostics', {
    config: { permission: 'deals:read' },
    schema: { tags: ['deals'], summary: "The pipeline's rules and what each did to this deal (fired, skipped with its code, RULE_CONFLICT), open tasks, this month's forecast rules", params: idParams, response: { 200: z.record(z.string(), z.unknown()), ...errors } },
  }, async (req) => {
    const d = await dealDiagnostics({ db }, req.params.id);
    const firing = (f: (typeof d.formerRuleFirings)[number]) => ({ id: f.id, ruleId: f.rule_id, trigger: f.trigger_key, status: f.status, code: f.reason_code, chainDepth: f.chain_depth, result: f.result, plannedAt: f.planned_at.toISOString(), finishedAt: f.finished_at?.toISOString() ?? null });
    return {
      dealId: d.dealId,
      workflowId: d.workflowId,
      restrictStageChanges: d.restrictStageChanges,
      manualMoveGraceMs: d.manualMoveGraceMs,
      ruleChainLimit: d.ruleChainLimit,
      rules: d.rules.map(({ rule, firings }) => ({ ...toRuleJson(rule), firings: firings.map(firing) })),
      formerRuleFirings: d.formerRuleFirings.map(firing),
      openTasks: d.openTasks.map(toTaskJson),
      forecastThisMonth: d.forecastThisMonth,
    };
  });

  r.get('/v1/deals/:id/activities', {
    config: { permission: 'deals:read' },
    schema: { tags: ['deals'], summary: "The deal's activity log, newest first", params: idParams, querystring: z.strictObject(pageQuery), response: { 200: pageSchema(activitySchema), ...errors } },
  }, async (req) => {
    const { rows, nextCursor } = await dealActivities(db, req.params.id, req.query);
    return { items: rows.map(toActivityJson), nextCursor };
  });

  r.post('/v1/deals/:id/activities', {
    config: { permission: 'deals:write', auditEntity: 'deal' },
    schema: { tags: ['deals'], summary: 'Log a call, meeting, email or note on the deal (activity: resets no_activity_for rules)', params: idParams, body: dealActivityBody, response: { 204: z.null(), ...errors } },
  }, async (req, reply) => {
    await logDealActivity(deps(req.log), req.params.id, req.body.kind, actorOf(req));
    return reply.code(204).send(null);
  });

  r.get('/v1/deals/:id/tasks', {
    config: { permission: 'deals:read' },
    schema: { tags: ['deals'], summary: 'Tasks on the deal (created by create_task rules)', params: idParams, response: { 200: z.object({ items: z.array(taskSchema) }), ...errors } },
  }, async (req) => ({ items: (await listDealTasks(db, req.params.id)).map(toTaskJson) }));

  r.post('/v1/deals/:id/tasks/:taskId/complete', {
    config: { permission: 'deals:write', auditEntity: 'deal' },
    schema: { tags: ['deals'], summary: 'Complete a task (owner, manager or admin)', params: taskParams, response: { 200: taskSchema, ...withConflict } },
  }, async (req) => toTaskJson(await completeDealTask(deps(req.log), req.params.id, req.params.taskId, actorOf(req))));

  r.get('/v1/forecast', {
    config: { permission: 'deals:read' },
    schema: {
      tags: ['deals'],
      summary: 'Forecast of a pipeline for a period, per currency: open (count, amount, weighted), Closed Won, by stage and owner, and the deals left out with their codes',
      querystring: forecastQuery,
      response: { 200: forecastSchema, ...errors },
    },
  }, async (req) => forecast(db, { ...req.query, ...resolvePeriod(req.query) }));
}
