/**
 * What a CSV upload looks like, decided from its first bytes: the character encoding (a UTF-8 byte
 * order mark, or bytes that are valid UTF-8; otherwise Windows-1252, what Excel writes on Western
 * systems) and the delimiter (comma, semicolon or tab: the one the header line uses most, outside quotes).
 */
import type { ImportEncoding } from './vocabulary';

export const SNIFF_BYTES = 64 * 1024;

/** `complete`: the sample is the whole file (its last bytes are not cut off mid-character). */
export function detectEncoding(head: Uint8Array, complete = false): ImportEncoding {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  // A multi-byte character may be cut at the end of the sample: ignore an incomplete tail.
  let end = head.length;
  for (let back = 1; !complete && back <= 3 && end - back >= 0; back++) {
    const byte = head[end - back]!;
    if ((byte & 0xc0) === 0xc0) {
      const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      if (back < need) end -= back;
      break;
    }
    if ((byte & 0xc0) !== 0x80) break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

export const DELIMITERS = [',', ';', '\t'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/** The delimiter of the first record (quotes respected); comma when the line has none. */
export function detectDelimiter(text: string): Delimiter {
  const counts = new Map<Delimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch as Delimiter)) counts.set(ch as Delimiter, counts.get(ch as Delimiter)! + 1);
  }
  let best: Delimiter = ',';
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}
