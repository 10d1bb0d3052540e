/**
 * Name similarity for duplicate detection (RULES.md "detection", DUPLICATE_NAME): Levenshtein distance
 * on normalised full names — case, accents, punctuation and whitespace folded — also compared with the
 * name's words sorted, so "Smith John" matches "John Smith". Pure: shared by the scan and its benchmark.
 */
import { distance } from 'fastest-levenshtein';

/** "  José  Smith-Jones " → "jose smith jones". Empty when there is no name. */
export function normalizeName(first: string | null | undefined, last: string | null | undefined): string {
  return `${first ?? ''} ${last ?? ''}`
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The words of a normalised name in alphabetical order (catches swapped first and last names). */
export function sortedWords(normalized: string): string {
  return normalized.split(' ').sort().join(' ');
}

export interface NameMatch {
  distance: number;
  /** 1 − distance / length of the longer name: 1 for names equal after normalisation. */
  score: number;
}

/**
 * Whether two normalised names are within the bound: at most `maxDistance` edits, and at most one edit
 * per four characters of the longer name, so short names ("Al Li" / "Al Lu") must match more closely.
 */
export function compareNames(a: string, b: string, maxDistance: number): NameMatch | null {
  if (a.length === 0 || b.length === 0) return null;
  const longer = Math.max(a.length, b.length);
  const bound = Math.min(maxDistance, Math.floor(longer / 4));
  if (Math.abs(a.length - b.length) > bound) return null;
  let d = a === b ? 0 : distance(a, b);
  if (d > bound && a.includes(' ') && b.includes(' ')) d = Math.min(d, distance(sortedWords(a), sortedWords(b)));
  if (d > bound) return null;
  return { distance: d, score: Math.round((1 - d / longer) * 1000) / 1000 };
}
