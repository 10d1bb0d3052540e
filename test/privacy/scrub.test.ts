/** scrubPersonalData: email addresses by pattern, known personal values exactly (case-insensitive). */
import { scrubPersonalData } from '../../domain/privacy/scrub';

describe('email addresses', () => {
  it.each([
    ['SMTP 550 with angle brackets', '550 5.1.1 <ada@example.com>: Recipient address rejected', '550 5.1.1 <[email]>: Recipient address rejected'],
    ['display name form', 'To: Someone <ada.lovelace+crm@mail.example.co.uk>', 'To: Someone <[email]>'],
    ['bare, mid-sentence', 'mailbox ada_l@example.org is full.', 'mailbox [email] is full.'],
    ['upper case', 'RCPT TO:<ADA@EXAMPLE.COM>', 'RCPT TO:<[email]>'],
    ['quoted local part', 'rejected "ada lovelace"@example.com today', 'rejected [email] today'],
    ['URL-encoded @', 'GET /v1/contacts?email=ada%40example.com&limit=1', 'GET /v1/contacts?email=[email]&limit=1'],
    ['URL-encoded + and @', 'to=ada%2Bnews%40Example.com', 'to=[email]'],
    ['HTML entity', 'ada&#64;example.com', '[email]'],
    ['(at) obfuscation', 'write to ada (at) example.com', 'write to [email]'],
    ['international', 'zoë.müller@exämple.de bounced', '[email] bounced'],
    ['IP literal domain', 'user@[192.168.0.1]', '[email]'],
    ['mailto link', 'mailto:ada@example.com?subject=hi', 'mailto:[email]?subject=hi'],
    ['JSON string', '{"to":"ada@example.com"}', '{"to":"[email]"}'],
    ['several', 'a@x.io, b@y.io;c@z.io', '[email], [email];[email]'],
  ])('%s', (_label, text, expected) => {
    expect(scrubPersonalData(text)).toBe(expected);
  });

  it.each([
    ['a scoped package path in a stack trace', '    at run (/app/node_modules/@temporalio/worker/lib/activity.js:1:2)'],
    ['a package version', 'lodash@4.17.21 and node@20.19.0'],
    ['a decorator', '@Injectable() class X'],
    ['an @ with no domain', 'ping me @ noon'],
  ])('leaves %s alone', (_label, text) => {
    expect(scrubPersonalData(text)).toBe(text);
  });

  it('stays linear on long runs without an address', () => {
    const started = Date.now();
    scrubPersonalData(`${'a'.repeat(200_000)} ${'b.'.repeat(100_000)}@ ${'x@y'.repeat(50_000)}`, ['Ada']);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('known values', () => {
  const known = ['Ada', 'Lovelace', 'Ada Lovelace', '12 St James Square', 'Zoë'];

  it('replaces each known value, whatever its case, as a whole word', () => {
    expect(scrubPersonalData('Dear ADA LOVELACE (ada), see Lovelace', known)).toBe('Dear [redacted] ([redacted]), see [redacted]');
    // Not inside other words: "Adams" and "lovelaced" stay.
    expect(scrubPersonalData('Adams and lovelaced', known)).toBe('Adams and lovelaced');
  });

  it('matches multi-word values across any whitespace, URL-encoded, and without diacritics', () => {
    expect(scrubPersonalData('at 12  St\nJames Square', known)).toBe('at [redacted]');
    expect(scrubPersonalData('q=Ada%20Lovelace&n=Ada+Lovelace', known)).toBe('q=[redacted]&n=[redacted]');
    expect(scrubPersonalData('Zoe and ZOË', known)).toBe('[redacted] and [redacted]');
  });

  it('replaces the longest value first (no "[redacted] Lovelace" leftovers)', () => {
    expect(scrubPersonalData('Ada Lovelace', ['Ada', 'Ada Lovelace'])).toBe('[redacted]');
  });

  it('escapes regex characters in values', () => {
    expect(scrubPersonalData('O.Brien (a+b) O*Brien', ['O.Brien', '(a+b)'])).toBe('[redacted] [redacted] O*Brien');
  });

  it('ignores empty and one-character values, and scrubs emails before names', () => {
    expect(scrubPersonalData('A b c', ['', ' ', 'A', null, undefined])).toBe('A b c');
    expect(scrubPersonalData('ada@example.com (Ada)', ['ada'])).toBe('[email] ([redacted])');
  });
});
