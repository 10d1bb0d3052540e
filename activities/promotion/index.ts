import type { ActivityDeps } from '../deps';
import { awaitConfirmationActivity, pollPsaActivity } from './confirmation';
import { linkActivity } from './link';
import { markCustomerActivity } from './mark-customer';
import { notifyPsaActivity } from './notify-psa';
import { outcomeActivities } from './outcome';
import { preflightActivity } from './preflight';
import { psaResolver } from './psa-from-config';
import type { PromotionDeps } from './step-context';
import { syncContactsActivity } from './sync-contacts';

/** The promotion workflow's activities, one per step plus the bookkeeping of its outcome. */
export function createPromotionActivities(deps: ActivityDeps) {
  const ctx: PromotionDeps = { db: deps.db, psa: psaResolver(deps.config, deps.psa) };
  return {
    promotionPreflight: preflightActivity(ctx),
    promotionMarkCustomer: markCustomerActivity(ctx),
    promotionNotifyPsa: notifyPsaActivity(ctx),
    promotionAwaitConfirmation: awaitConfirmationActivity(ctx),
    promotionPollPsa: pollPsaActivity(ctx),
    promotionLink: linkActivity(ctx),
    promotionSyncContacts: syncContactsActivity(ctx),
    ...outcomeActivities(ctx),
  };
}
