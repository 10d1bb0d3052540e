import { enrollmentsWaiting } from './enrollment-holds';
import { overdueErasures } from './overdue-erasures';
import { livePromotionsByStep, promotionsByState, stalledPromotions } from './promotions';
import type { StateMetric } from './state-metrics';
import { syncApiBudgetUsed } from './sync-budget';
import { syncRecordsByDecision } from './sync-records';

/** Every database-backed gauge the workers export. A feature adds its own here (one file each). */
export const STATE_METRICS: readonly StateMetric[] = [promotionsByState, livePromotionsByStep, stalledPromotions, enrollmentsWaiting, overdueErasures, syncApiBudgetUsed, syncRecordsByDecision];
