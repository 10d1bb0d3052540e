/** scrubError and the per-activity registry, without a worker. */
import { CompleteAsyncError } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure, TemporalFailure } from '@temporalio/common';
import { rememberedPersonalData, rememberPersonalData, withPersonalDataRegistry } from '../../activities/scrub/personal-data-registry';
import { scrubError } from '../../activities/scrub/scrub-error';

class SmtpLikeError extends Error {
  override readonly name = 'SmtpLikeError';
  readonly code = 'EENVELOPE';
  readonly responseCode = 550;
  readonly response = '550 5.1.1 <ada@example.com>: Recipient address rejected';
  readonly rejected = ['ada@example.com'];
}

const everything = (value: unknown): string => {
  const seen = new Set<unknown>();
  const walk = (v: unknown): string => {
    if (v === null || typeof v !== 'object') return String(v);
    if (seen.has(v)) return '';
    seen.add(v);
    return Object.getOwnPropertyNames(v)
      .map((k) => `${k}=${walk((v as Record<string, unknown>)[k])}`)
      .join(';');
  };
  return walk(value);
};

describe('scrubError', () => {
  it('keeps the class, name and scalar fields; scrubs message, stack and strings; drops other objects', () => {
    const original = new SmtpLikeError('Sending to Ada failed: 550 <ada@example.com>');
    const copy = scrubError(original, ['Ada']) as SmtpLikeError;
    expect(copy).toBeInstanceOf(SmtpLikeError);
    expect(copy).not.toBe(original);
    expect(copy.name).toBe('SmtpLikeError');
    expect(copy.constructor.name).toBe('SmtpLikeError'); // Temporal's failure type
    expect(copy.message).toBe('Sending to [redacted] failed: 550 <[email]>');
    expect(copy.stack).toMatch(/^SmtpLikeError: Sending to \[redacted\] failed: 550 <\[email\]>\n\s+at /);
    expect(copy).toMatchObject({ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 <[email]>: Recipient address rejected' });
    expect(copy.rejected).toBeUndefined();
    expect(everything(copy)).not.toMatch(/ada@|\bAda\b/);
    // The original is untouched (it may be shared, e.g. cached by a library).
    expect(original.message).toContain('ada@example.com');
  });

  it('scrubs the whole cause chain, AggregateError members included', () => {
    const root = new Error('connect to mx for ada@example.com refused');
    const middle = new AggregateError([new Error('Lovelace: timeout'), root], 'all MX failed', { cause: root });
    const top = new Error('delivery to Ada Lovelace failed', { cause: middle });
    const copy = scrubError(top, ['Ada', 'Lovelace']) as Error;
    expect(copy.message).toBe('delivery to [redacted] [redacted] failed');
    const cause = copy.cause as AggregateError;
    expect(cause).toBeInstanceOf(AggregateError);
    expect((cause.cause as Error).message).toBe('connect to mx for [email] refused');
    expect(cause.errors.map((e: Error) => e.message)).toEqual(['[redacted]: timeout', 'connect to mx for [email] refused']);
    expect(everything(copy)).not.toMatch(/ada@|\bLovelace\b/);
  });

  it('ApplicationFailure: keeps type, nonRetryable, retry delay; scrubs details; drops the raw proto', () => {
    const failure = ApplicationFailure.create({
      message: 'Recipient <ada@example.com> rejected',
      type: 'MailRejected',
      nonRetryable: true,
      nextRetryDelay: '5s',
      details: [{ recipient: 'ada@example.com', firstName: 'Ada', status: 550, sent: false }, 'Ada Lovelace', 7],
      cause: new Error('Ada'),
    });
    (failure as { failure?: unknown }).failure = { message: 'ada@example.com' };
    const copy = scrubError(failure, ['Ada', 'Lovelace']) as ApplicationFailure;
    expect(copy).toBeInstanceOf(ApplicationFailure);
    expect(copy).toMatchObject({ type: 'MailRejected', nonRetryable: true, nextRetryDelay: '5s', message: 'Recipient <[email]> rejected' });
    expect(copy.details).toEqual([{ recipient: '[email]', firstName: '[redacted]', status: 550, sent: false }, '[redacted] [redacted]', 7]);
    expect(copy.failure).toBeUndefined();
    expect((copy.cause as Error).message).toBe('[redacted]');
  });

  it('keeps other Temporal failures recognisable (cancellation must still look like cancellation)', () => {
    const cancelled = new CancelledFailure('cancelled while mailing ada@example.com', ['ada@example.com']);
    const copy = scrubError(cancelled) as CancelledFailure;
    expect(copy).toBeInstanceOf(CancelledFailure);
    expect(copy).toBeInstanceOf(TemporalFailure);
    expect(copy.message).toBe('cancelled while mailing [email]');
    expect(copy.details).toEqual(['[email]']);
  });

  it('passes CompleteAsyncError through untouched, scrubs thrown strings, and wraps other thrown values', () => {
    const async = new CompleteAsyncError();
    expect(scrubError(async)).toBe(async);
    expect(scrubError('no mailbox for ada@example.com')).toBe('no mailbox for [email]');
    expect(scrubError(42)).toBe(42);
    const wrapped = scrubError({ message: 'Ada said no', to: 'ada@example.com' }, ['Ada']) as Error;
    expect(wrapped).toBeInstanceOf(Error);
    expect(everything(wrapped)).not.toMatch(/ada@|\bAda\b/);
  });

  it('survives a cyclic cause chain', () => {
    const a = new Error('a ada@example.com');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const copy = scrubError(a) as Error;
    expect(copy.message).toBe('a [email]');
  });
});

describe('personal data registry', () => {
  it('collects values per execution; separate executions do not see each other', async () => {
    const seen: string[][] = [];
    await Promise.all(
      ['Ada', 'Grace'].map((name) =>
        withPersonalDataRegistry(async () => {
          rememberPersonalData(name, undefined, null, '  ');
          await new Promise((r) => setTimeout(r, 10));
          rememberPersonalData(`${name} Surname`);
          seen.push(rememberedPersonalData());
        }),
      ),
    );
    expect(seen.sort()).toEqual([
      ['Ada', 'Ada Surname'],
      ['Grace', 'Grace Surname'],
    ]);
  });

  it('does nothing outside an activity execution', () => {
    rememberPersonalData('Ada');
    expect(rememberedPersonalData()).toEqual([]);
  });
});
