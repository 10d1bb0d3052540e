/**
 * Deals: create, read, update (fields and stage moves), delete, log activity. Every update names the
 * version it was based on; a stale one is a 409 DEAL_VERSION_STALE with the deal's current stage and
 * who moved it, so a stale Kanban board cannot overwrite a newer move. Money stays a decimal string.
 */
import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';
import type { DealRow, PipelineRow, StageRow } from '../../db/deal-tables';
import type { Tx } from '../../db/lock-order';
import { pageInCreationOrder, type Page } from '../../db/pagination';
import { systemClock } from '../../domain/clock';
import { checkAmount, currencyDigits, Decimal } from '../../domain/deals/money';
import { isCalendarDate } from '../../domain/deals/period';
import type { DealActivityKind, DealStatus } from '../../domain/deals/vocabulary';
import { actorLabel, type Actor } from '../actor';
import { conflict, invalidFields, notFound, type FieldProblem } from '../errors';
import { assertMayAssign, assertMayEditDeal, assertMayMoveStage } from './access';
import type { DealDeps } from './deps';
import { activeStages, lockDealWithPipeline } from './locks';
import { moveDeal } from './moves';
import { signalDealAutomationIfRunning } from '../../temporal/deal-workflows';
import { wakeAutomationAfterCommit } from './wake';

export interface DealFields {
  name: string;
  pipelineId: string;
  stageId: string;
  amount: string;
  currency: string;
  expectedCloseDate: string;
  companyId?: string | null;
  contactIds?: string[];
  ownerId?: string;
}

export type DealPatch = Partial<DealFields>;

export interface DealView {
  deal: DealRow;
  contactIds: string[];
}

export interface DealListQuery {
  limit: number;
  cursor?: string;
  pipelineId?: string;
  stageId?: string;
  status?: DealStatus;
  ownerId?: string;
  companyId?: string;
}

/** Where the version came from, so a stale or missing one names the right field. */
export interface BasedOn {
  version: number | undefined;
  path: 'headers.if-match' | 'body.version';
}

const now = (deps: DealDeps) => new Date((deps.clock ?? systemClock)());

async function contactIdsOf(db: Db, dealIds: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>(dealIds.map((id) => [id, []]));
  if (dealIds.length === 0) return map;
  const rows = await db.selectFrom('deal_contacts').select(['deal_id', 'contact_id']).where('deal_id', 'in', dealIds).orderBy('contact_id').execute();
  for (const r of rows) map.get(r.deal_id)?.push(r.contact_id);
  return map;
}

/** Every problem with the references and values of a create or patch, at once. */
async function checkFields(db: Db, b: DealPatch, current?: DealRow): Promise<{ stage?: StageRow; problems: FieldProblem[] }> {
  const problems: FieldProblem[] = [];
  const currency = b.currency ?? current?.currency;
  if (b.currency !== undefined && currencyDigits(b.currency) === undefined) problems.push({ path: 'body.currency', problem: 'is not an ISO 4217 currency code (e.g. EUR, USD, JPY)' });
  if (b.amount !== undefined || b.currency !== undefined) {
    const amount = b.amount ?? current?.amount;
    if (amount !== undefined && currency !== undefined && currencyDigits(currency) !== undefined) {
      // A stored amount (numeric(22,4)) is re-checked against a new currency without its padding zeros.
      const checked = checkAmount(b.amount ?? new Decimal(amount).toFixed(), currency);
      if (!checked.ok) problems.push({ path: 'body.amount', problem: checked.problem });
    }
  }
  if (b.expectedCloseDate !== undefined && !isCalendarDate(b.expectedCloseDate)) problems.push({ path: 'body.expectedCloseDate', problem: 'must be a calendar date YYYY-MM-DD' });
  let stage: StageRow | undefined;
  const pipelineId = b.pipelineId ?? current?.pipeline_id;
  if (b.pipelineId !== undefined && b.stageId === undefined && b.pipelineId !== current?.pipeline_id) problems.push({ path: 'body.stageId', problem: 'is required when the pipeline changes' });
  if (b.stageId !== undefined && pipelineId !== undefined) {
    const pipeline = await db.selectFrom('pipelines').select('id').where('id', '=', pipelineId).executeTakeFirst();
    if (!pipeline) problems.push({ path: 'body.pipelineId', problem: 'no pipeline with this id' });
    else {
      stage = (await activeStages(db, pipelineId)).find((s) => s.id === b.stageId);
      if (!stage) problems.push({ path: 'body.stageId', problem: 'is not a stage of the pipeline' });
    }
  }
  if (b.companyId) {
    const c = await db.selectFrom('companies').select(['id', 'merged_into']).where('id', '=', b.companyId).executeTakeFirst();
    if (!c) problems.push({ path: 'body.companyId', problem: 'no company with this id' });
    else if (c.merged_into) problems.push({ path: 'body.companyId', problem: `the company was merged into ${c.merged_into}: use that company` });
  }
  if (b.contactIds?.length) {
    const found = new Set((await db.selectFrom('contacts').select('id').where('id', 'in', b.contactIds).execute()).map((r) => r.id));
    b.contactIds.forEach((id, i) => {
      if (!found.has(id)) problems.push({ path: `body.contactIds.${i}`, problem: 'no contact with this id' });
    });
  }
  if (b.ownerId) {
    const u = await db.selectFrom('users').select('id').where('id', '=', b.ownerId).executeTakeFirst();
    if (!u) problems.push({ path: 'body.ownerId', problem: 'no user with this id' });
  }
  return { stage, problems };
}

async function setContacts(tx: Tx, dealId: string, contactIds: readonly string[]): Promise<void> {
  await tx.deleteFrom('deal_contacts').where('deal_id', '=', dealId).execute();
  const unique = [...new Set(contactIds)];
  if (unique.length) await tx.insertInto('deal_contacts').values(unique.map((contact_id) => ({ deal_id: dealId, contact_id }))).execute();
}

export async function createDeal(deps: DealDeps, b: DealFields, actor: Actor): Promise<DealView> {
  const ownerId = b.ownerId ?? actor.userId;
  if (!ownerId) throw invalidFields([{ path: 'body.ownerId', problem: 'is required' }]);
  const { stage, problems } = await checkFields(deps.db, { ...b, ownerId });
  if (problems.length || !stage) throw invalidFields(problems);
  await assertMayAssign(deps.db, actor, ownerId);
  const at = now(deps);
  const amount = checkAmount(b.amount, b.currency);
  const view = await deps.db.transaction().execute(async (tx) => {
    const pipeline = await tx.selectFrom('pipelines').select('id').where('id', '=', b.pipelineId).forShare().executeTakeFirstOrThrow();
    const deal = await tx
      .insertInto('deals')
      .values({
        name: b.name,
        pipeline_id: pipeline.id,
        stage_id: stage.id,
        status: stage.kind,
        amount: amount.ok ? amount.value : b.amount,
        currency: b.currency,
        expected_close_date: b.expectedCloseDate,
        closed_on: stage.kind === 'open' ? null : at.toISOString().slice(0, 10),
        company_id: b.companyId ?? null,
        owner_id: ownerId,
        stage_changed_at: at,
        stage_changed_by: actorLabel(actor),
        last_activity_at: at,
        created_at: at,
        updated_at: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await setContacts(tx, deal.id, b.contactIds ?? []);
    await tx.insertInto('deal_stage_history').values({ deal_id: deal.id, event: 'created', from_stage_id: null, to_stage_id: stage.id, actor_user_id: actor.userId, deal_version: deal.version, at }).execute();
    await recordActivity(tx, { dealId: deal.id, companyId: deal.company_id, type: 'deal_created', data: { pipelineId: deal.pipeline_id, stageId: deal.stage_id }, actor: actorLabel(actor) });
    return { deal, contactIds: [...new Set(b.contactIds ?? [])].sort() };
  });
  await wakeAutomationAfterCommit(deps, [view.deal.id]);
  return view;
}

export async function getDeal(db: Db, id: string): Promise<DealView> {
  const deal = await db.selectFrom('deals').selectAll().where('id', '=', id).executeTakeFirst();
  if (!deal) throw notFound('Deal', id);
  return { deal, contactIds: (await contactIdsOf(db, [id])).get(id) ?? [] };
}

export async function listDeals(db: Db, q: DealListQuery): Promise<Page<DealView>> {
  let query = db.selectFrom('deals').selectAll();
  if (q.pipelineId) query = query.where('pipeline_id', '=', q.pipelineId);
  if (q.stageId) query = query.where('stage_id', '=', q.stageId);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.ownerId) query = query.where('owner_id', '=', q.ownerId);
  if (q.companyId) query = query.where('company_id', '=', q.companyId);
  const { rows, nextCursor } = await pageInCreationOrder(query, q);
  const contacts = await contactIdsOf(db, rows.map((r) => r.id));
  return { rows: rows.map((deal) => ({ deal, contactIds: contacts.get(deal.id) ?? [] })), nextCursor };
}

/** The 409 for an update based on an old version: the deal's current stage and who moved it. */
async function staleVersion(db: Db, deal: DealRow, basedOn: BasedOn) {
  const stage = await db.selectFrom('pipeline_stages').select(['name']).where('id', '=', deal.stage_id).executeTakeFirst();
  return conflict(
    'DEAL_VERSION_STALE',
    `Deal ${deal.id} changed since version ${basedOn.version}: it is at version ${deal.version}, in stage "${stage?.name ?? deal.stage_id}" (${deal.stage_id}), moved by ${deal.stage_changed_by} at ${deal.stage_changed_at.toISOString()}. Reload it and apply your change again.`,
    [
      { path: basedOn.path, problem: `based on version ${basedOn.version}; the deal is at version ${deal.version}`, code: 'DEAL_VERSION_STALE' },
      { path: 'current.version', problem: String(deal.version) },
      { path: 'current.stageId', problem: deal.stage_id },
      { path: 'current.stageName', problem: stage?.name ?? '' },
      { path: 'current.stageChangedBy', problem: deal.stage_changed_by },
      { path: 'current.stageChangedAt', problem: deal.stage_changed_at.toISOString() },
    ],
  );
}

function requireVersion(basedOn: BasedOn): number {
  if (basedOn.version === undefined) {
    throw invalidFields([{ path: 'headers.if-match', problem: 'required: send If-Match: "<version>" (or body.version) with the version this update is based on' }]);
  }
  return basedOn.version;
}

export async function updateDeal(deps: DealDeps, id: string, b: DealPatch, basedOn: BasedOn, actor: Actor): Promise<DealView> {
  const version = requireVersion(basedOn);
  const at = now(deps);
  const view = await deps.db.transaction().execute(async (tx) => {
    const { deal, pipeline } = await lockDealWithPipeline(tx, id);
    if (deal.version !== version) throw await staleVersion(tx, deal, basedOn);
    const stageChanges = b.stageId !== undefined && (b.stageId !== deal.stage_id || (b.pipelineId !== undefined && b.pipelineId !== deal.pipeline_id));
    const fieldsChange = (Object.keys(b) as (keyof DealPatch)[]).some((k) => k !== 'stageId' && k !== 'pipelineId');
    if (fieldsChange || (b.pipelineId !== undefined && b.pipelineId !== deal.pipeline_id)) await assertMayEditDeal(tx, actor, deal);
    if (b.ownerId !== undefined && b.ownerId !== deal.owner_id) await assertMayAssign(tx, actor, b.ownerId);
    if (stageChanges) await assertMayMoveStage(tx, actor, deal, pipeline);
    if (b.pipelineId !== undefined && b.pipelineId !== deal.pipeline_id) await lockTargetPipeline(tx, b.pipelineId);
    const { stage, problems } = await checkFields(tx, b, deal);
    if (problems.length) throw invalidFields(problems);

    const currency = b.currency ?? deal.currency;
    const amount = b.amount !== undefined ? checkAmount(b.amount, currency) : undefined;
    const fields = {
      ...(b.name !== undefined && { name: b.name }),
      ...(amount?.ok && { amount: amount.value }),
      ...(b.currency !== undefined && { currency: b.currency }),
      ...(b.expectedCloseDate !== undefined && { expected_close_date: b.expectedCloseDate }),
      ...(b.companyId !== undefined && { company_id: b.companyId }),
      ...(b.ownerId !== undefined && { owner_id: b.ownerId }),
    };
    let updated: DealRow;
    if (stageChanges && stage) {
      updated = await moveDeal(tx, deal, stage, { kind: 'user', userId: actor.userId }, { now: at, alsoSet: fields });
    } else {
      updated = await tx.updateTable('deals').set({ ...fields, version: deal.version + 1, last_activity_at: at, updated_at: at }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    }
    if (b.contactIds !== undefined) await setContacts(tx, id, b.contactIds);
    const changed = Object.keys(b).filter((k) => k !== 'stageId' && k !== 'pipelineId');
    if (changed.length) await recordActivity(tx, { dealId: id, companyId: updated.company_id, type: 'deal_updated', data: { fields: changed, version: updated.version }, actor: actorLabel(actor) });
    return { deal: updated, contactIds: (await contactIdsOf(tx, [id])).get(id) ?? [] };
  });
  // Any human change is activity (no_activity_for), and a stage move may trigger rules.
  await wakeAutomationAfterCommit(deps, [id]);
  return view;
}

async function lockTargetPipeline(tx: Tx, pipelineId: string): Promise<PipelineRow | undefined> {
  return tx.selectFrom('pipelines').selectAll().where('id', '=', pipelineId).forShare().executeTakeFirst();
}

export async function deleteDeal(deps: DealDeps, id: string, basedOn: BasedOn, actor: Actor): Promise<void> {
  await deps.db.transaction().execute(async (tx) => {
    const { deal } = await lockDealWithPipeline(tx, id);
    if (basedOn.version !== undefined && basedOn.version !== deal.version) throw await staleVersion(tx, deal, basedOn);
    await assertMayEditDeal(tx, actor, deal);
    await tx.deleteFrom('deals').where('id', '=', id).execute();
    await recordActivity(tx, { dealId: id, companyId: deal.company_id, type: 'deal_deleted', data: { version: deal.version }, actor: actorLabel(actor) });
  });
  // A running workflow of the deal finds it gone and ends (none is started for a deleted deal).
  if (deps.temporal) {
    await signalDealAutomationIfRunning(deps.temporal, id).catch((err: unknown) => deps.log?.warn({ err, dealId: id }, 'could not tell the deal automation workflow that its deal is gone; it ends at its next wake-up'));
  }
}

/** A rep logs a call, meeting, email or note: activity on the deal (resets no_activity_for rules). */
export async function logDealActivity(deps: DealDeps, id: string, kind: DealActivityKind, actor: Actor): Promise<void> {
  const at = now(deps);
  await deps.db.transaction().execute(async (tx) => {
    const { deal } = await lockDealWithPipeline(tx, id);
    await tx.updateTable('deals').set({ last_activity_at: at }).where('id', '=', id).execute();
    await recordActivity(tx, { dealId: id, companyId: deal.company_id, type: 'deal_activity_logged', data: { kind }, actor: actorLabel(actor) });
  });
  await wakeAutomationAfterCommit(deps, [id]);
}
