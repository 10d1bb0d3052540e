import { countOverdueErasures } from '../erasure/requests';
import type { StateMetric } from './state-metrics';

/** Erasure requests past their deadline (the extension's, if any) and not completed: the erasure service's own count. */
export const overdueErasures: StateMetric<never> = {
  name: 'crm_erasures_overdue',
  help: 'GDPR erasure requests past their due date (or extension) and not completed.',
  labelNames: [],
  async read(db, nowMs) {
    return [{ labels: {}, value: await countOverdueErasures(db, new Date(nowMs)) }];
  },
};
