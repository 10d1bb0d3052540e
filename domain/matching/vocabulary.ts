/**
 * Account matching and company merge vocabularies: the one source for types, zod enums and the SQL
 * CHECK constraints (test/db/vocabulary-constraints.test.ts compares them).
 */

/** Where an inbound person came from (POST /v1/people/resolve `source`). */
export const RESOLVE_SOURCES = ['support_issue', 'form', 'reply', 'import'] as const;
export type ResolveSource = (typeof RESOLVE_SOURCES)[number];

/** The matching branches, in the order they are tried (each is also its reason code). */
export const MATCH_BRANCHES = ['MATCH_CONTACT', 'MATCH_ACCOUNT_DOMAIN', 'MATCH_CRM_DOMAIN', 'MATCH_NEW_ACCOUNT'] as const;
export type MatchBranch = (typeof MATCH_BRANCHES)[number];

/** What decided a resolve: a branch, or the free-mail rule (a contact without a company). */
export type ResolveOutcome = MatchBranch | 'FREE_MAIL_DOMAIN';

/** What a branch did: decided the match, did not match (fall through), or was not tried (and why). */
export const MATCH_STEP_RESULTS = ['matched', 'no_match', 'skipped'] as const;
export type MatchStepResult = (typeof MATCH_STEP_RESULTS)[number];

/** Rows a company merge moved to the primary, journalled one per row (company_merge_moves.kind). */
export const COMPANY_MERGE_MOVE_KINDS = ['contact', 'activity', 'deal', 'promotion', 'crm_link', 'review_item'] as const;
export type CompanyMergeMoveKind = (typeof COMPANY_MERGE_MOVE_KINDS)[number];
