/**
 * Per-call bookkeeping that jsforce cannot give us: the HTTP status of the last response (jsforce's errors
 * do not carry it) and how many times this call refreshed the session (jsforce refreshes on every 401
 * without a cap, salesforce-wire.md TL;DR 4). The transport and the refresh function read the context
 * of the call they run in through AsyncLocalStorage.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface CallContext {
  lastStatus?: number;
  /** Session refreshes since the last response that was not a 401. */
  refreshes: number;
  authGuardTripped: boolean;
}

const storage = new AsyncLocalStorage<CallContext>();

export function runInCall<T>(fn: () => Promise<T>): Promise<T> {
  const ctx: CallContext = { refreshes: 0, authGuardTripped: false };
  return storage.run(ctx, fn);
}

export function currentCall(): CallContext | undefined {
  return storage.getStore();
}
