/**
 * The API budget (issue 10 "API budget"): a connector keeps under its share of the org's daily API
 * allowance, counted over a rolling 24 hours from its own cycles, and never starts a cycle the org
 * cannot afford. Pure: the inputs are the last Sforce-Limit-Info seen and the connector's own counts.
 */
export const BUDGET_WINDOW_MS = 24 * 60 * 60 * 1000;
/** When the org as a whole is out of calls, look again after this long. */
export const ORG_EXHAUSTED_RETRY_MS = 60 * 60 * 1000;
const MIN_DEFER_MS = 60 * 1000;

export interface BudgetFacts {
  /** The org's daily allowance and its use, from the last Sforce-Limit-Info (null before the first call). */
  orgLimit: number | null;
  orgUsed: number | null;
  share: number;
  /** API calls this connector's cycles made in the last 24 hours. */
  connectorCalls: number;
  /** When the oldest of those cycles started (ms), or null. */
  oldestCycleAtMs: number | null;
  /** Calls the smallest cycle needs (the change feeds of each object). */
  minimumCallsForCycle: number;
  nowMs: number;
}

export type BudgetDecision =
  | { proceed: true; allowance: number | null; left: number | null }
  | { proceed: false; allowance: number; left: number; retryAtMs: number; binding: 'connector_share' | 'org_allowance' };

export function budgetDecision(f: BudgetFacts): BudgetDecision {
  if (f.orgLimit === null || f.orgLimit <= 0) return { proceed: true, allowance: null, left: null };
  const allowance = Math.floor(f.orgLimit * f.share);
  const connectorLeft = allowance - f.connectorCalls;
  const orgLeft = f.orgLimit - (f.orgUsed ?? 0);
  const left = Math.min(connectorLeft, orgLeft);
  if (left >= f.minimumCallsForCycle) return { proceed: true, allowance, left };
  if (orgLeft < f.minimumCallsForCycle && orgLeft <= connectorLeft) {
    return { proceed: false, allowance, left: Math.max(0, left), retryAtMs: f.nowMs + ORG_EXHAUSTED_RETRY_MS, binding: 'org_allowance' };
  }
  // The connector's own calls age out of the 24-hour window from its oldest cycle on.
  const retryAtMs = Math.max(f.nowMs + MIN_DEFER_MS, (f.oldestCycleAtMs ?? f.nowMs) + BUDGET_WINDOW_MS);
  return { proceed: false, allowance, left: Math.max(0, left), retryAtMs, binding: 'connector_share' };
}
