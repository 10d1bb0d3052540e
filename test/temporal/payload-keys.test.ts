/** TEMPORAL_PAYLOAD_KEY parsing: format, ordering, and errors that name the variable but not the key. */
import { randomBytes } from 'node:crypto';
import { optionalPayloadKeysSchema, parsePayloadKeys, payloadKeysSchema } from '../../domain/payload-keys';

const b64 = (): string => randomBytes(32).toString('base64');

function problemsOf(value: string): string[] {
  const parsed = parsePayloadKeys(value);
  if (parsed.ok) throw new Error(`expected ${value} to be refused`);
  return parsed.problems;
}

describe('parsePayloadKeys', () => {
  it('reads id:key entries; the first one encrypts, all decrypt', () => {
    const [k2, k1] = [b64(), b64()];
    const parsed = parsePayloadKeys(` k2:${k2} , k1:${k1}`);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.ring.encryptKeyId).toBe('k2');
    expect([...parsed.ring.keys.keys()]).toEqual(['k2', 'k1']);
    expect(parsed.ring.keys.get('k1')?.toString('base64')).toBe(k1);
  });

  it('accepts a single key', () => {
    const parsed = parsePayloadKeys(`2025-01.main:${b64()}`);
    expect(parsed.ok && parsed.ring.encryptKeyId).toBe('2025-01.main');
  });

  it.each([
    ['a bare key without an id', () => b64(), /entry 1 has no valid key id/],
    ['an empty id', () => `:${b64()}`, /entry 1 has no valid key id/],
    ['an id with spaces', () => `my key:${b64()}`, /entry 1 has no valid key id/],
    ['a short key', () => `k1:${randomBytes(16).toString('base64')}`, /entry 1 \(key id "k1"\).*exactly 32 bytes/],
    ['a key that is not base64', () => `k1:${'x'.repeat(43)}!`, /entry 1 \(key id "k1"\).*exactly 32 bytes/],
    ['a trailing comma', () => `k1:${b64()},`, /entry 2 is empty/],
    ['a duplicate id', () => `k1:${b64()},k1:${b64()}`, /entry 2: key id "k1" appears more than once/],
    ['an empty string', () => '', /entry 1 is empty/],
  ])('refuses %s, naming TEMPORAL_PAYLOAD_KEY', (_label, value, expected) => {
    const problems = problemsOf(value());
    expect(problems.join('\n')).toMatch(expected);
    for (const p of problems) expect(p).toMatch(/^TEMPORAL_PAYLOAD_KEY/);
  });

  it('never echoes key material in a problem', () => {
    const good = b64();
    const short = randomBytes(16).toString('base64');
    const problems = problemsOf(`${good},k1:${short},k2:${good}`).join('\n');
    expect(problems).not.toContain(good);
    expect(problems).not.toContain(short);
    expect(problems).toMatch(/entry 1 has no valid key id/);
    expect(problems).toMatch(/entry 2 \(key id "k1"\)/);
  });
});

describe('payload key schemas', () => {
  it('the required schema yields a key ring or zod issues', () => {
    const ok = payloadKeysSchema.safeParse(`k1:${b64()}`);
    expect(ok.success && ok.data.encryptKeyId).toBe('k1');
    const bad = payloadKeysSchema.safeParse('k1:short');
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/TEMPORAL_PAYLOAD_KEY entry 1 \(key id "k1"\)/);
  });

  it('the optional schema maps unset and blank to undefined and still validates a value', () => {
    expect(optionalPayloadKeysSchema.parse(undefined)).toBeUndefined();
    expect(optionalPayloadKeysSchema.parse('  ')).toBeUndefined();
    expect(optionalPayloadKeysSchema.parse(`k9:${b64()}`)?.encryptKeyId).toBe('k9');
    expect(optionalPayloadKeysSchema.safeParse('nope').success).toBe(false);
  });
});
