/**
 * Small pieces of HTTP wire handling shared by integration clients and their emulators:
 * route templates, bearer tokens, constant-time secret comparison.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** Fills `:name` segments of a route path, URL-encoding each value. */
export function fillPath(template: string, params: Record<string, string>): string {
  return template.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(value);
  });
}

/** Matches a pathname against a route template; returns the decoded params or null. */
export function matchPath(template: string, pathname: string): Record<string, string> | null {
  const want = template.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const g = got[i] ?? '';
    if (w.startsWith(':')) {
      if (g === '') return null;
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return null; // malformed %-escape: no route matches
      }
    } else if (w !== g) return null;
  }
  return params;
}

/** Constant-time string equality; compares SHA-256 digests so neither content nor length leaks through timing. */
export function secretsEqual(a: string, b: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  return match?.[1];
}

/** Whether a presented bearer header carries the expected key. An empty expected key never matches. */
export function bearerMatches(header: string | undefined, expected: string): boolean {
  const token = bearerToken(header);
  return token !== undefined && expected !== '' && secretsEqual(token, expected);
}
