/**
 * Per-activity registry of the personal values an activity has loaded (names, addresses, ...), so
 * that the failure-scrubbing interceptor (worker/interceptors/scrub-activity-failures.ts) can remove
 * them from the activity's error. Activity code calls rememberPersonalData() right after it reads a
 * contact; the interceptor opens one registry per activity execution (AsyncLocalStorage), so values
 * never leak from one execution into another.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const registry = new AsyncLocalStorage<Set<string>>();

/** Runs `fn` with a fresh, empty registry (the interceptor does this around each activity). */
export function withPersonalDataRegistry<T>(fn: () => Promise<T>): Promise<T> {
  return registry.run(new Set<string>(), fn);
}

/** Remembers values to scrub from this activity's failure. Empty values are ignored; outside an activity it does nothing. */
export function rememberPersonalData(...values: Array<string | null | undefined>): void {
  const known = registry.getStore();
  if (!known) return;
  for (const value of values) if (typeof value === 'string' && value.trim() !== '') known.add(value);
}

/** The values remembered so far in this activity execution. */
export function rememberedPersonalData(): string[] {
  return [...(registry.getStore() ?? [])];
}
