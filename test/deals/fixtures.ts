/** Pipelines, deals and users for the deal tests, through the API. */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createUser, issueApiKey } from '../../db/api-keys';
import type { Db } from '../../db/database';
import { bearer, callJson } from '../harness/api';

export interface PipelineJson {
  id: string;
  stages: { id: string; name: string; kind: string; probability: number }[];
}

/** Lead 10 %, Cold 0 %, Proposal 50 %, Won, Lost. */
export const standardStages = [
  { name: 'Lead', probability: 10, kind: 'open' },
  { name: 'Cold', probability: 0, kind: 'open' },
  { name: 'Proposal', probability: 50, kind: 'open' },
  { name: 'Won', probability: 100, kind: 'won' },
  { name: 'Lost', probability: 0, kind: 'lost' },
] as const;

export async function createPipeline(app: FastifyInstance, adminKey: string, extra: Record<string, unknown> = {}): Promise<PipelineJson & { stage: (name: string) => string }> {
  const p = await callJson<PipelineJson>(app, adminKey, 'POST', '/v1/pipelines', { name: 'Sales', stages: standardStages, ...extra }, 201);
  return { ...p, stage: (name: string) => p.stages.find((s) => s.name === name)!.id };
}

export function dealBody(pipelineId: string, stageId: string, over: Record<string, unknown> = {}) {
  return { name: 'Deal', pipelineId, stageId, amount: '1000.00', currency: 'EUR', expectedCloseDate: new Date().toISOString().slice(0, 10), ...over };
}

/** PATCH with an If-Match header. */
export function patchDeal(app: FastifyInstance, key: string, id: string, version: number | null, body: Record<string, unknown>): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'PATCH', url: `/v1/deals/${id}`, headers: { ...bearer(key), ...(version !== null && { 'if-match': `"${version}"` }) }, payload: body });
}

/** A rep with an API key, optionally managed by another user. */
export async function rep(db: Db, name: string, managerId?: string): Promise<{ id: string; key: string }> {
  const id = await createUser(db, name, 'rep');
  if (managerId) await db.updateTable('users').set({ manager_id: managerId }).where('id', '=', id).execute();
  return { id, key: (await issueApiKey(db, id, name)).key };
}

/** YYYY-MM-DD, `days` from today (UTC). */
export const dayFromToday = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
