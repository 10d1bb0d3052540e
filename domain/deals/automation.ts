/**
 * Deal automation rules, pure: which rules an event triggers, when an inactivity rule is due, and
 * whether a rule's move would undo a recent manual move (RULE_CONFLICT). The worker's activities
 * and the diagnostics endpoint call these same functions.
 */
import { parseIsoDuration } from '../duration';
import type { ReasonCode } from '../reason-codes';
import type { RuleActionType, RuleTriggerType, StageKind } from './vocabulary';

/** A rule move that would send a deal back to where a person moved it from, within this long, does not fire. */
export const MANUAL_MOVE_GRACE_MS = 60 * 60 * 1000;
/** Rule moves triggered by rule moves, in a row, before the chain is stopped (a loop between rules). */
export const RULE_CHAIN_LIMIT = 5;
/** Shortest `no_activity_for` duration. */
export const MIN_INACTIVITY_MS = 60 * 1000;
export const TASK_TITLE_MAX_LENGTH = 200;
export const DEFAULT_TASK_DUE_IN = 'P1D';

export interface RuleTrigger {
  type: RuleTriggerType;
  stageId?: string;
  /** ISO-8601, for `no_activity_for`. */
  duration?: string;
}

export interface RuleAction {
  type: RuleActionType;
  stageId?: string;
  sequenceId?: string;
  /** `create_task`: what to do (admin's words, not personal data) and when it is due after creation. */
  title?: string;
  dueIn?: string;
}

export interface DealRule {
  id: string;
  trigger: RuleTrigger;
  action: RuleAction;
  /** Rules act only on events after they were created. */
  createdAtMs: number;
}

export interface RuleProblem {
  path: string;
  problem: string;
}

/** Every problem of a rule body; `stageIds` are the pipeline's current stages. */
export function validateRule(trigger: RuleTrigger, action: RuleAction, stageIds: ReadonlySet<string>): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const needsStage = (path: string, id: string | undefined) => {
    if (id === undefined) problems.push({ path, problem: 'is required for this type' });
    else if (!stageIds.has(id)) problems.push({ path, problem: 'is not a stage of this pipeline' });
  };
  const forbid = (path: string, value: unknown, type: string) => {
    if (value !== undefined) problems.push({ path, problem: `is not used by ${type}` });
  };
  if (trigger.type === 'entered_stage') needsStage('body.trigger.stageId', trigger.stageId);
  else forbid('body.trigger.stageId', trigger.stageId, trigger.type);
  if (trigger.type === 'no_activity_for') {
    if (trigger.duration === undefined) problems.push({ path: 'body.trigger.duration', problem: 'is required for no_activity_for (ISO-8601, e.g. P7D)' });
    else {
      const parsed = parseIsoDuration(trigger.duration);
      if (!parsed.ok) problems.push({ path: 'body.trigger.duration', problem: parsed.error });
      else if (parsed.ms < MIN_INACTIVITY_MS) problems.push({ path: 'body.trigger.duration', problem: 'must be at least PT1M' });
    }
  } else forbid('body.trigger.duration', trigger.duration, trigger.type);

  if (action.type === 'move_to_stage') {
    needsStage('body.action.stageId', action.stageId);
    if (trigger.type === 'entered_stage' && action.stageId !== undefined && action.stageId === trigger.stageId) {
      problems.push({ path: 'body.action.stageId', problem: 'is the stage that triggers the rule' });
    }
  } else forbid('body.action.stageId', action.stageId, action.type);
  if (action.type === 'enroll_contacts_in_sequence') {
    if (action.sequenceId === undefined) problems.push({ path: 'body.action.sequenceId', problem: 'is required for enroll_contacts_in_sequence' });
  } else forbid('body.action.sequenceId', action.sequenceId, action.type);
  if (action.type === 'create_task') {
    if (action.title !== undefined && action.title.trim().length > TASK_TITLE_MAX_LENGTH) problems.push({ path: 'body.action.title', problem: `is longer than ${TASK_TITLE_MAX_LENGTH} characters` });
    if (action.dueIn !== undefined) {
      const parsed = parseIsoDuration(action.dueIn);
      if (!parsed.ok) problems.push({ path: 'body.action.dueIn', problem: parsed.error });
    }
  } else {
    forbid('body.action.title', action.title, action.type);
    forbid('body.action.dueIn', action.dueIn, action.type);
  }
  return problems;
}

/** The deal entered a stage (created in it, moved by a person or by a rule). */
export interface StageEntry {
  toStageId: string;
  toStageKind: StageKind;
  atMs: number;
}

/** The rules a stage entry triggers, in rule order: entered_stage of that stage, won / lost for those kinds. */
export function rulesTriggeredByEntry(rules: readonly DealRule[], entry: StageEntry): DealRule[] {
  return rules.filter((r) => {
    if (r.createdAtMs > entry.atMs) return false;
    switch (r.trigger.type) {
      case 'entered_stage':
        return r.trigger.stageId === entry.toStageId;
      case 'won':
        return entry.toStageKind === 'won';
      case 'lost':
        return entry.toStageKind === 'lost';
      case 'no_activity_for':
        return false;
    }
  });
}

export interface InactivityDue {
  rule: DealRule;
  /** When the rule is due: last activity (or the rule's creation, if later) + its duration. */
  dueAtMs: number;
  /** Identifies this spell of inactivity: the rule fires once per spell. */
  spellKey: string;
}

/** When each `no_activity_for` rule is due for an open deal; a rule counts inactivity only from its own creation. */
export function inactivityDeadlines(rules: readonly DealRule[], lastActivityAtMs: number): InactivityDue[] {
  return rules.flatMap((rule) => {
    if (rule.trigger.type !== 'no_activity_for' || rule.trigger.duration === undefined) return [];
    const parsed = parseIsoDuration(rule.trigger.duration);
    if (!parsed.ok) return [];
    const since = Math.max(lastActivityAtMs, rule.createdAtMs);
    return [{ rule, dueAtMs: since + parsed.ms, spellKey: `inactive:${since}` }];
  });
}

/** The deal's latest move made by a person. */
export interface ManualMove {
  historyId: string;
  fromStageId: string | null;
  toStageId: string;
  byUserId: string | null;
  atMs: number;
}

/**
 * A rule move to `targetStageId` undoes the latest manual move when it would send the deal back to the
 * stage the person moved it from, within MANUAL_MOVE_GRACE_MS of that move.
 */
export function undoesManualMove(targetStageId: string, lastManualMove: ManualMove | null, nowMs: number, graceMs = MANUAL_MOVE_GRACE_MS): boolean {
  if (!lastManualMove || lastManualMove.fromStageId === null) return false;
  return lastManualMove.fromStageId === targetStageId && nowMs - lastManualMove.atMs <= graceMs;
}

/** The code a rule's action is skipped with before it runs, or null when it may run. */
export function skipBeforeAction(rule: DealRule, deal: { status: StageKind; stageId: string; hasCompany: boolean; contactCount: number }, triggeredBy: RuleTriggerType): ReasonCode | null {
  // Moves and inactivity rules are about open deals; won/lost rules act on closed ones by definition.
  if (triggeredBy === 'no_activity_for' && deal.status !== 'open') return 'DEAL_CLOSED';
  switch (rule.action.type) {
    case 'move_to_stage':
      return rule.action.stageId === deal.stageId ? 'DEAL_ALREADY_IN_STAGE' : null;
    case 'promote_company_to_psa':
      return deal.hasCompany ? null : 'DEAL_HAS_NO_COMPANY';
    case 'enroll_contacts_in_sequence':
      return deal.contactCount > 0 ? null : 'DEAL_HAS_NO_CONTACTS';
    case 'create_task':
      return null;
  }
}
