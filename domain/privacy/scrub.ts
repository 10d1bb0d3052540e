/**
 * Removes personal data from free text (error messages, stack traces) before it leaves the process:
 * every email address, found by pattern, and every known personal value (the subject's names,
 * address, ...), matched exactly but case-insensitively. Over-scrubbing a diagnostic is cheap;
 * an address in a Temporal history or a log is not.
 */

export const EMAIL_PLACEHOLDER = '[email]';
export const PERSONAL_DATA_PLACEHOLDER = '[redacted]';

// Local part: dot-atom or quoted string. The dot-atom's characters are the ones real addresses use
// (RFC 5322 also allows / = ? & # ...; leaving them out keeps paths and query strings around an address).
const ATEXT = "[\\p{L}\\p{N}%'*+_~-]";
const LOCAL = `(?:${ATEXT}+(?:\\.${ATEXT}+)*|"(?:[^"\\\\\\r\\n]|\\\\.)+")`;
// `@`, URL-encoded `%40`, HTML entities, and "(at)" / "[at]" obfuscations.
const AT = '(?:@|%40|&#0*64;|&#x0*40;|\\s*[([]at[)\\]]\\s*)';
const LABEL = '[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?';
const DOMAIN = `(?:(?:${LABEL}\\.)+\\p{L}{2,63}|\\[[^\\]\\s]{2,}\\])`;
// Starts only where a local part can start (not mid-run), so a long run of atext costs one scan, not n.
const EMAIL = new RegExp(`(?<![\\p{L}\\p{N}%'*+_~.-])${LOCAL}${AT}${DOMAIN}`, 'giu');

/** Known values shorter than this are ignored: scrubbing every "Al" or "X" would destroy the text. */
export const MIN_KNOWN_VALUE_LENGTH = 2;

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const stripDiacritics = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');

/** The forms a value takes in the wild: as given, without diacritics, URL-encoded (%20 and + for spaces). */
function variantsOf(value: string): string[] {
  const plain = value.normalize('NFC').trim();
  const forms = new Set([plain, stripDiacritics(plain)]);
  for (const form of [...forms]) {
    const encoded = encodeURIComponent(form);
    forms.add(encoded);
    forms.add(encoded.replace(/%20/g, '+'));
  }
  return [...forms];
}

/** One pattern for all known values: longest first, whole words only, any run of whitespace where the value has one. */
function knownValuesPattern(knownValues: Iterable<string | null | undefined>): RegExp | undefined {
  const forms = new Set<string>();
  for (const value of knownValues) {
    if (typeof value !== 'string' || value.trim().length < MIN_KNOWN_VALUE_LENGTH) continue;
    for (const form of variantsOf(value)) forms.add(form);
  }
  if (forms.size === 0) return undefined;
  const alternatives = [...forms].sort((a, b) => b.length - a.length).map((f) => f.split(/\s+/).map(escapeRegExp).join('\\s+'));
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
}

/**
 * `text` with email addresses replaced by `[email]` and known personal values by `[redacted]`.
 * Register each field as its own value (first name, last name, address); multi-word values match
 * as a whole, not word by word.
 */
export function scrubPersonalData(text: string, knownValues: Iterable<string | null | undefined> = []): string {
  // Emails first: a known first name inside an address would otherwise leave the domain behind.
  const withoutEmails = text.normalize('NFC').replace(EMAIL, EMAIL_PLACEHOLDER);
  const known = knownValuesPattern(knownValues);
  return known ? withoutEmails.replace(known, PERSONAL_DATA_PLACEHOLDER) : withoutEmails;
}
