/** The pure rules: Art. 12(3) deadlines and extensions, retention dates per jurisdiction, the receipt chain, JSON redaction. */
import { addCalendarMonths, decideExtension, dueAtFor } from '../../domain/erasure/deadline';
import { DEFAULT_RETENTION_RULES, mergeRetentionRules, retainUntil, ruleFor } from '../../domain/erasure/retention';
import { GENESIS_HASH, receiptHash, verifyChain, type StoredReceipt } from '../../domain/erasure/receipt-chain';
import { redactJson } from '../../domain/privacy/redact-json';
import { loadConfig } from '../../domain/config';

const at = (iso: string) => new Date(iso);

describe('deadline: receivedAt + one calendar month', () => {
  it.each([
    ['2025-01-15T10:00:00Z', '2025-02-15T10:00:00.000Z'],
    ['2025-01-31T10:00:00Z', '2025-02-28T10:00:00.000Z'],
    ['2024-01-31T23:30:00Z', '2024-02-29T23:30:00.000Z'],
    ['2025-03-31T00:00:00Z', '2025-04-30T00:00:00.000Z'],
    ['2025-12-31T12:00:00Z', '2026-01-31T12:00:00.000Z'],
  ])('%s → %s', (received, due) => expect(dueAtFor(at(received)).toISOString()).toBe(due));

  it('does not depend on the machine time zone (UTC arithmetic across a DST change)', () => {
    expect(addCalendarMonths(at('2025-03-15T10:00:00Z'), 1).toISOString()).toBe('2025-04-15T10:00:00.000Z');
  });
});

describe('extension (Art. 12(3)): once, within the first month, by 1–2 months', () => {
  const r = { receivedAt: at('2025-01-31T10:00:00Z'), dueAt: at('2025-02-28T10:00:00Z'), extendedUntil: null };
  it('moves the deadline by the months given, from dueAt', () => {
    expect(decideExtension(r, 2, at('2025-02-10T00:00:00Z'))).toEqual({ ok: true, extendedUntil: at('2025-04-28T10:00:00Z') });
    expect(decideExtension(r, 1, at('2025-02-10T00:00:00Z'))).toEqual({ ok: true, extendedUntil: at('2025-03-28T10:00:00Z') });
  });
  it('refuses after the first month, a second time, and other lengths, naming why', () => {
    expect(decideExtension(r, 2, at('2025-02-28T10:00:00Z'))).toMatchObject({ ok: false, code: 'ERASURE_EXTENSION_TOO_LATE' });
    expect(decideExtension({ ...r, extendedUntil: at('2025-04-28T10:00:00Z') }, 1, at('2025-02-10T00:00:00Z'))).toMatchObject({ ok: false, code: 'ERASURE_ALREADY_EXTENDED' });
    expect(decideExtension(r, 3, at('2025-02-10T00:00:00Z'))).toMatchObject({ ok: false, code: 'ERASURE_EXTENSION_INVALID' });
  });
});

describe('retention: retainUntil per jurisdiction', () => {
  const rules = DEFAULT_RETENTION_RULES;
  it('DE: 8 years from the end of the calendar year of issue', () => {
    expect(retainUntil('2025-03-14', ruleFor(rules, 'DE').rule)).toBe('2033-12-31');
    expect(retainUntil('2025-12-31', ruleFor(rules, 'DE').rule)).toBe('2033-12-31');
    expect(retainUntil('2026-01-01', ruleFor(rules, 'DE').rule)).toBe('2034-12-31');
  });
  it('UK (and GB): 6 years from issue; 29 February ends on 28 February', () => {
    expect(retainUntil('2025-03-14', ruleFor(rules, 'UK').rule)).toBe('2031-03-14');
    expect(ruleFor(rules, 'gb').jurisdiction).toBe('UK');
    expect(retainUntil('2024-02-29', ruleFor(rules, 'UK').rule)).toBe('2030-02-28');
  });
  it('any other jurisdiction: the EU default of 10 years from issue', () => {
    expect(ruleFor(rules, 'FR')).toMatchObject({ jurisdiction: 'EU', rule: { years: 10 } });
    expect(retainUntil('2025-03-14', ruleFor(rules, undefined).rule)).toBe('2035-03-14');
  });
  it('ERASURE_RETENTION_RULES overrides or adds entries; a bad value names the variable', () => {
    const config = loadConfig({ ERASURE_RETENTION_RULES: JSON.stringify({ FR: { years: 10, from: 'end_of_year', legalBasis: 'Code de commerce L123-22' } }) });
    expect(config.ERASURE_RETENTION_RULES.FR?.from).toBe('end_of_year');
    expect(config.ERASURE_RETENTION_RULES.DE).toEqual(DEFAULT_RETENTION_RULES.DE);
    expect(() => loadConfig({ ERASURE_RETENTION_RULES: '{"DE":{"years":0}}' })).toThrow(/ERASURE_RETENTION_RULES/);
    expect(mergeRetentionRules(undefined)).toEqual(DEFAULT_RETENTION_RULES);
  });
});

describe('receipt chain', () => {
  const chain = (bodies: object[]): StoredReceipt[] => {
    let prev = GENESIS_HASH;
    return bodies.map((body, i) => {
      const hash = receiptHash(prev, body);
      const r = { seq: String(i + 1), requestId: `r${i + 1}`, body, prevHash: prev, hash };
      prev = hash;
      return r;
    });
  };
  it('hashes the canonical JSON: key order does not matter', () => {
    expect(receiptHash(GENESIS_HASH, { a: 1, b: [1, { c: 'x', d: null }] })).toBe(receiptHash(GENESIS_HASH, { b: [1, { d: null, c: 'x' }], a: 1 }));
  });
  it('verifies an intact chain and names the first broken link of an edited one', () => {
    const receipts = chain([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(verifyChain(receipts)).toMatchObject({ ok: true, receipts: 3 });
    const edited = receipts.map((r) => (r.seq === '2' ? { ...r, body: { n: 20 } } : r));
    expect(verifyChain(edited)).toEqual({ ok: false, receipts: 3, checked: 1, brokenAt: { seq: '2', requestId: 'r2', problem: 'hash_mismatch' } });
    const rehashed = receipts.map((r) => (r.seq === '2' ? { ...r, body: { n: 20 }, hash: receiptHash(r.prevHash, { n: 20 }) } : r));
    expect(verifyChain(rehashed)).toMatchObject({ ok: false, brokenAt: { seq: '3', problem: 'previous_hash_mismatch' } });
  });
});

it('redactJson keeps ids, numbers, instants and codes, drops every other string', () => {
  expect(redactJson({ url: 'https://x.example/?a=b', linkIndex: 0, sendId: '7d6c7a3e-64a5-4b8e-9a53-0a4d8b7f7e21', at: '2025-03-14T10:00:00Z', code: 'SEND_UNCERTAIN', fields: ['email', 'firstName'], ok: true, nested: { name: 'Ada' } })).toEqual({
    linkIndex: 0,
    sendId: '7d6c7a3e-64a5-4b8e-9a53-0a4d8b7f7e21',
    at: '2025-03-14T10:00:00Z',
    code: 'SEND_UNCERTAIN',
    fields: [],
    ok: true,
    nested: {},
  });
});
