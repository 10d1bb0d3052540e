/**
 * The Authorization header, parsed once: scheme case-insensitive (RFC 7235), any run of spaces or
 * tabs after it, the credential trimmed. So `bearer <key>` and `Bearer␠␠<key>` are the same key.
 */
export type BearerHeader = { kind: 'missing' } | { kind: 'not_bearer' } | { kind: 'bearer'; token: string };

export function parseBearer(header: string | string[] | undefined): BearerHeader {
  if (header === undefined || (Array.isArray(header) && header.length === 0)) return { kind: 'missing' };
  const value = (Array.isArray(header) ? header[0]! : header).trim();
  if (value === '') return { kind: 'missing' };
  const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(value);
  return match ? { kind: 'bearer', token: match[1]! } : { kind: 'not_bearer' };
}
