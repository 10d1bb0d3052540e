import { Context } from '@temporalio/activity';
import type { TemporalLogger } from '../../temporal/logger';

/** The activity's logger in the shape the Temporal helpers take (object first, then the message); silent outside an activity. */
export function activityLog(): TemporalLogger {
  const log = () => {
    try {
      return Context.current().log;
    } catch {
      return undefined;
    }
  };
  return {
    warn: (obj, msg) => log()?.warn(msg, obj as Record<string, unknown>),
    error: (obj, msg) => log()?.error(msg, obj as Record<string, unknown>),
  };
}
