/**
 * TEMPORAL_PAYLOAD_KEY: the keys of the Temporal payload codec, in one environment string.
 *
 *   TEMPORAL_PAYLOAD_KEY="k2:<base64 of 32 bytes>,k1:<base64 of 32 bytes>"
 *
 * The first entry encrypts; every entry decrypts payloads that name its id (rotation: put the new key
 * first and keep the old ones until no history that needs them is retained). Key ids are not secret and
 * are written into every payload's metadata; key material never appears in an error message.
 * Pure (zod and Node's Buffer only) so the config schema can use it.
 */
import { z } from 'zod';
import { decodeSecretsKey } from './secrets-key';

export const PAYLOAD_KEY_VARIABLE = 'TEMPORAL_PAYLOAD_KEY';

/** Letters, digits, `.`, `_`, `-`; short, because it is stored in every payload. */
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface PayloadKeyRing {
  /** Id of the key that encrypts new payloads (the first entry). */
  readonly encryptKeyId: string;
  /** Every configured key by id, the encrypting one included. */
  readonly keys: ReadonlyMap<string, Buffer>;
}

export type ParsedPayloadKeys = { ok: true; ring: PayloadKeyRing } | { ok: false; problems: string[] };

const FORMAT_HINT = `expected "<key id>:<base64 of 32 bytes>" entries separated by commas, newest first, e.g. "k1:$(openssl rand -base64 32)"`;

/** Parses the variable's value; problems name the variable and the entry, never the key material. */
export function parsePayloadKeys(value: string): ParsedPayloadKeys {
  const problems: string[] = [];
  const keys = new Map<string, Buffer>();
  const entries = value.split(',').map((e) => e.trim());
  entries.forEach((entry, index) => {
    const where = `${PAYLOAD_KEY_VARIABLE} entry ${index + 1}`;
    if (entry === '') {
      problems.push(`${where} is empty; ${FORMAT_HINT}`);
      return;
    }
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon).trim();
    if (!KEY_ID.test(id)) {
      // The entry itself may be a bare key: do not echo it.
      problems.push(`${where} has no valid key id (1-64 of A-Z a-z 0-9 . _ -); ${FORMAT_HINT}`);
      return;
    }
    const key = decodeSecretsKey(entry.slice(colon + 1).trim());
    if (key === undefined) {
      problems.push(`${where} (key id "${id}"): the key must be the base64 encoding of exactly 32 bytes (openssl rand -base64 32)`);
      return;
    }
    if (keys.has(id)) {
      problems.push(`${where}: key id "${id}" appears more than once; each id must name one key`);
      return;
    }
    keys.set(id, key);
  });
  const first = entries[0] ?? '';
  const encryptKeyId = first.slice(0, first.indexOf(':')).trim();
  if (problems.length > 0 || !keys.has(encryptKeyId)) return { ok: false, problems: problems.length > 0 ? problems : [`${PAYLOAD_KEY_VARIABLE}: ${FORMAT_HINT}`] };
  return { ok: true, ring: { encryptKeyId, keys } };
}

/** Required variable: a string that parses to a key ring. */
export const payloadKeysSchema = z.string().transform((value, ctx): PayloadKeyRing => {
  const parsed = parsePayloadKeys(value);
  if (parsed.ok) return parsed.ring;
  for (const message of parsed.problems) ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
});

/** Optional variable (unset or blank: no payload encryption), for the config schema. */
export const optionalPayloadKeysSchema = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value))
  .pipe(payloadKeysSchema.optional());
