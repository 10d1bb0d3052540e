/**
 * Request limits, counted in the API process (fixed one-minute windows):
 *  - writes per API key, across every write route (keyed on the authenticated key id, not the header);
 *  - requests to public endpoints per client address;
 *  - failed authentications per client address (a key or integration-key guesser is slowed to a stop).
 * Each API process counts its own; with N API processes a client can reach at most N times a limit.
 * (@fastify/rate-limit counts per route or before authentication; these limits need neither.)
 */
import type { Clock } from '../domain/clock';

export interface LimitVerdict {
  allowed: boolean;
  /** When the window resets (only when refused). */
  retryAfterMs: number;
  limit: number;
  remaining: number;
}

export interface FixedWindowLimiter {
  /** Counts one request for `key` and says whether it is within the limit. */
  take(key: string): LimitVerdict;
  /** Whether `key` is already over the limit, without counting. */
  exceeded(key: string): LimitVerdict;
}

const WINDOW_MS = 60_000;
/** Stale windows are dropped now and then, so the map stays small under many distinct keys. */
const SWEEP_EVERY = 1_000;

export function fixedWindowLimiter(limit: number, clock: Clock): FixedWindowLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  let takes = 0;
  const current = (key: string) => {
    const now = clock();
    const start = Math.floor(now / WINDOW_MS) * WINDOW_MS;
    let w = windows.get(key);
    if (!w || w.start !== start) {
      w = { start, count: 0 };
      windows.set(key, w);
    }
    return { w, now };
  };
  const verdict = (count: number, start: number, now: number): LimitVerdict => ({
    allowed: count <= limit,
    retryAfterMs: start + WINDOW_MS - now,
    limit,
    remaining: Math.max(0, limit - count),
  });
  return {
    take(key) {
      if (++takes % SWEEP_EVERY === 0) {
        const start = Math.floor(clock() / WINDOW_MS) * WINDOW_MS;
        for (const [k, w] of windows) if (w.start !== start) windows.delete(k);
      }
      const { w, now } = current(key);
      w.count++;
      return verdict(w.count, w.start, now);
    },
    exceeded(key) {
      const { w, now } = current(key);
      return verdict(w.count + 1, w.start, now);
    },
  };
}
