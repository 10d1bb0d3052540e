/** Deal, pipeline and deal-automation vocabularies: the one source for types, zod enums and SQL CHECKs. */
export const STAGE_KINDS = ['open', 'won', 'lost'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];

/** A deal's status is its stage's kind. */
export const DEAL_STATUSES = STAGE_KINDS;
export type DealStatus = StageKind;

export const STAGE_CHANGE_RESTRICTIONS = ['none', 'owner_or_manager'] as const;
export type StageChangeRestriction = (typeof STAGE_CHANGE_RESTRICTIONS)[number];

export const RULE_TRIGGER_TYPES = ['entered_stage', 'no_activity_for', 'won', 'lost'] as const;
export type RuleTriggerType = (typeof RULE_TRIGGER_TYPES)[number];

export const RULE_ACTION_TYPES = ['move_to_stage', 'create_task', 'enroll_contacts_in_sequence', 'promote_company_to_psa'] as const;
export type RuleActionType = (typeof RULE_ACTION_TYPES)[number];

/** What a stage-history entry records: the deal's first stage, a move, or a rule move that did not happen. */
export const STAGE_HISTORY_EVENTS = ['created', 'moved', 'rule_conflict'] as const;
export type StageHistoryEvent = (typeof STAGE_HISTORY_EVENTS)[number];

/** A rule firing: planned (the action is due), done, or skipped with a reason code. */
export const RULE_FIRING_STATUSES = ['planned', 'done', 'skipped'] as const;
export type RuleFiringStatus = (typeof RULE_FIRING_STATUSES)[number];

/** What a rep logs on a deal (no free text: the log holds no personal data). */
export const DEAL_ACTIVITY_KINDS = ['call', 'meeting', 'email', 'note'] as const;
export type DealActivityKind = (typeof DEAL_ACTIVITY_KINDS)[number];
