/**
 * Who may do what to a deal. Fields (and deletion): admins every deal; reps their own and their
 * reports' (users whose manager they are). Stage moves: on a pipeline with `restrictStageChanges:
 * none`, anyone with `deals:write` (a shared Kanban board); with `owner_or_manager`, only the owner
 * or the owner's manager, admins included (an admin lifts the restriction on the pipeline instead).
 * Rules move deals as themselves and are not subject to either.
 */
import type { Db } from '../../db/database';
import type { DealRow, PipelineRow } from '../../db/deal-tables';
import type { Actor } from '../actor';
import { forbidden, type ServiceError } from '../errors';

export async function managerOf(db: Db, userId: string): Promise<string | null> {
  const row = await db.selectFrom('users').select('manager_id').where('id', '=', userId).executeTakeFirst();
  return row?.manager_id ?? null;
}

/** The actor owns the deal or manages its owner. */
async function ownsOrManages(db: Db, actor: Actor, ownerId: string): Promise<boolean> {
  if (actor.userId === null) return false;
  return actor.userId === ownerId || (await managerOf(db, ownerId)) === actor.userId;
}

export async function mayEditDeal(db: Db, actor: Actor, deal: Pick<DealRow, 'owner_id'>): Promise<boolean> {
  if (actor.role === 'admin') return true;
  return actor.role === 'rep' && (await ownsOrManages(db, actor, deal.owner_id));
}

export function notOwner(deal: Pick<DealRow, 'id' | 'owner_id'>): ServiceError {
  return forbidden('NOT_OWNER', `Deal ${deal.id} is owned by user ${deal.owner_id}; only its owner, the owner's manager or an admin can change it.`);
}

export async function assertMayEditDeal(db: Db, actor: Actor, deal: Pick<DealRow, 'id' | 'owner_id'>): Promise<void> {
  if (!(await mayEditDeal(db, actor, deal))) throw notOwner(deal);
}

/** A rep may give a deal to themself or to one of their reports; an admin to anyone. */
export async function assertMayAssign(db: Db, actor: Actor, ownerId: string): Promise<void> {
  if (actor.role === 'admin') return;
  if (!(await ownsOrManages(db, actor, ownerId))) throw forbidden('NOT_OWNER', `A rep can own deals themself or assign them to their reports; user ${ownerId} is neither.`);
}

export async function assertMayMoveStage(db: Db, actor: Actor, deal: Pick<DealRow, 'id' | 'owner_id'>, pipeline: Pick<PipelineRow, 'id' | 'restrict_stage_changes'>): Promise<void> {
  if (pipeline.restrict_stage_changes === 'none') return;
  if (await ownsOrManages(db, actor, deal.owner_id)) return;
  throw forbidden('STAGE_CHANGE_FORBIDDEN', `Pipeline ${pipeline.id} restricts stage changes to the deal's owner (user ${deal.owner_id}) and the owner's manager.`);
}
