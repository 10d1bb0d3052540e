/**
 * Activities of the `deal-<dealId>` automation workflow: thin wrappers over services/deals/automation.ts
 * (the API's diagnostics read the same rows). Inputs and results are ids, codes and instants only.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { systemClock } from '../../domain/clock';
import { MissingTemporalClientError, planDealRules, runDealRuleFiring, type PlanInput, type PlanResult, type RunResult } from '../../services/deals/automation';
import type { ActivityDeps } from '../deps';

export function createDealActivities(deps: ActivityDeps) {
  return {
    async planDealRules(input: PlanInput): Promise<PlanResult> {
      return planDealRules(deps.db, input);
    },
    async runDealRuleFiring(input: { firingId: string }): Promise<RunResult> {
      try {
        return await runDealRuleFiring({ db: deps.db, config: deps.config, temporal: deps.temporal, clock: deps.clock ?? systemClock }, input.firingId);
      } catch (err) {
        // A worker set up without a Temporal client will not get one by retrying.
        if (err instanceof MissingTemporalClientError) throw ApplicationFailure.nonRetryable(err.message, err.name);
        throw err;
      }
    },
  };
}
