/**
 * Moving a deal to a stage, the one way every mover uses (a person, a rule, a stage removal): the
 * status follows the stage's kind, a closed deal gets its close day, the version goes up and the
 * stage history records who or which rule moved it. Runs inside the caller's transaction, with the
 * deal locked (services/deals/locks.ts).
 */
import { recordActivity } from '../../db/activity-log';
import type { DealRow, StageRow } from '../../db/deal-tables';
import type { Tx } from '../../db/lock-order';
import { isoDate } from '../../domain/deals/period';
import type { ReasonCode } from '../../domain/reason-codes';

export type Mover = { kind: 'user'; userId: string | null } | { kind: 'rule'; ruleId: string; firingId: string };

export const moverLabel = (m: Mover) => (m.kind === 'user' ? `user:${m.userId ?? 'unknown'}` : `rule:${m.ruleId}`);

export interface MoveOptions {
  now: Date;
  /** Why, beyond who: MOVED_BY_RULE for rules, STAGE_REMOVED_DEALS_MOVED for a stage removal. */
  reasonCode?: ReasonCode;
  /** Ids only. */
  data?: Record<string, unknown>;
  /** Other columns changed in the same update (a person's edit of other fields). */
  alsoSet?: Record<string, unknown>;
}

/** Closed day of a deal entering `stage` now: kept if it stays closed, set when it closes, cleared when it reopens. */
function closedOnFor(deal: Pick<DealRow, 'status' | 'closed_on'>, stage: StageRow, now: Date): string | null {
  if (stage.kind === 'open') return null;
  return deal.status === stage.kind && deal.closed_on ? deal.closed_on : isoDate(now);
}

export async function moveDeal(tx: Tx, deal: DealRow, stage: StageRow, mover: Mover, opts: MoveOptions): Promise<DealRow> {
  const human = mover.kind === 'user';
  const updated = await tx
    .updateTable('deals')
    .set({
      ...opts.alsoSet,
      pipeline_id: stage.pipeline_id,
      stage_id: stage.id,
      status: stage.kind,
      closed_on: closedOnFor(deal, stage, opts.now),
      version: deal.version + 1,
      stage_changed_at: opts.now,
      stage_changed_by: moverLabel(mover),
      // A person's move is activity on the deal; a rule's is not (it would reset no_activity_for rules).
      ...(human && { last_activity_at: opts.now }),
      updated_at: opts.now,
    })
    .where('id', '=', deal.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await tx
    .insertInto('deal_stage_history')
    .values({
      deal_id: deal.id,
      event: 'moved',
      from_stage_id: deal.stage_id,
      to_stage_id: stage.id,
      actor_user_id: mover.kind === 'user' ? mover.userId : null,
      rule_id: mover.kind === 'rule' ? mover.ruleId : null,
      reason_code: opts.reasonCode ?? (mover.kind === 'rule' ? 'MOVED_BY_RULE' : null),
      data: JSON.stringify({ ...opts.data, ...(mover.kind === 'rule' && { firingId: mover.firingId }) }),
      deal_version: updated.version,
      at: opts.now,
    })
    .execute();
  await recordActivity(tx, {
    dealId: deal.id,
    companyId: deal.company_id,
    type: 'deal_stage_changed',
    reasonCode: opts.reasonCode ?? (mover.kind === 'rule' ? 'MOVED_BY_RULE' : null),
    data: { fromStageId: deal.stage_id, toStageId: stage.id, status: stage.kind, version: updated.version, ...(mover.kind === 'rule' && { ruleId: mover.ruleId }) },
    actor: moverLabel(mover),
  });
  return updated;
}
