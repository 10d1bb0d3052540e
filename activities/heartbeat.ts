import { Context } from '@temporalio/activity';

/** How often a long call reports that its worker is alive; well under the 10 s heartbeat timeouts. */
export const HEARTBEAT_EVERY_MS = 2_000;

/**
 * Heartbeats while `work` runs, so a worker that dies mid-call (a send, a PSA request) is noticed
 * within the activity's heartbeat timeout, seconds, instead of its whole start-to-close timeout.
 * Outside an activity (unit tests calling the function directly) it only runs `work`.
 */
export async function heartbeatWhile<T>(work: () => Promise<T>, everyMs = HEARTBEAT_EVERY_MS): Promise<T> {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return work();
  }
  // A local activity cannot heartbeat: its liveness is its workflow task's, which the SDK keeps alive.
  if (ctx.info.isLocal) return work();
  ctx.heartbeat();
  const timer = setInterval(() => ctx.heartbeat(), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
