/**
 * Email address helpers shared by enrollment, suppression and sync.
 * Pure: imported by workflow code, so no I/O and no Node built-ins.
 */

/** RFC 5321 limit on a forward path; longer addresses cannot be delivered. */
const MAX_EMAIL_LENGTH = 254;

/** Canonical form for comparisons and suppression lookups (suppression is case-insensitive). */
export function normalizeEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/**
 * Pragmatic syntax check, not full RFC 5322: exactly one "@", a non-empty local part,
 * a domain of at least two non-empty dot-separated labels, no whitespace, at most 254 characters.
 * Surrounding whitespace is ignored because normalizeEmail strips it anyway.
 */
export function isValidEmail(raw: string): boolean {
  const value = raw.trim();
  if (value.length === 0 || value.length > MAX_EMAIL_LENGTH) return false;
  if (/\s/.test(value)) return false;
  const parts = value.split('@');
  if (parts.length !== 2) return false;
  const [local, domain] = parts as [string, string];
  if (local.length === 0) return false;
  const labels = domain.split('.');
  return labels.length >= 2 && labels.every((label) => label.length > 0);
}

/** Normalised domain of an address ("Ann@Example.COM" → "example.com"), or null when it has none. */
export function emailDomain(email: string): string | null {
  const value = normalizeEmail(email);
  const at = value.lastIndexOf('@');
  if (at < 0 || at === value.length - 1) return null;
  return value.slice(at + 1);
}
