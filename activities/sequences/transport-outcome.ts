/**
 * What a failed hand-off to the mailbox means for the never-twice guarantee:
 *  - `rejected`: the provider answered with a permanent refusal; nothing was sent, a retry would fail too;
 *  - `not_sent`: provably nothing went out (connection refused or timed out, DNS failure, no greeting, SMTP 4xx reply, Graph token
 *    failure, Graph 429/503); the same row may be tried again later;
 *  - `unknown`: the message may have gone out (socket died mid-transfer, timeout, gateway error):
 *    the step becomes `uncertain` and is never sent again.
 * When in doubt the answer is `unknown`: a visible uncertain step beats a duplicate email.
 */
import { MailTransportError } from '../../integrations/mail/transport';

export type TransportOutcome = 'rejected' | 'not_sent' | 'unknown';

export function classifyTransportError(err: unknown): TransportOutcome {
  if (!(err instanceof MailTransportError)) return 'unknown';
  if (!err.retryable) return 'rejected';
  // Graph: the token is fetched before sendMail; a token error means sendMail was never called.
  if (err.message.startsWith('Graph token')) return 'not_sent';
  if (err.message.startsWith('Graph sendMail')) {
    return err.status === 429 || err.status === 503 ? 'not_sent' : 'unknown';
  }
  // SMTP: a 4xx reply is the server saying "not accepted, try later".
  if (err.status !== undefined && err.status >= 400 && err.status < 500) return 'not_sent';
  if (err.code === 'EDNS') return 'not_sent';
  // nodemailer's connect and greeting timers fire only before any command was sent.
  if (err.code === 'ETIMEDOUT' && /(Connection timeout|Greeting never received)$/.test(err.message)) return 'not_sent';
  const cause = err.cause as { syscall?: unknown } | undefined;
  if (cause?.syscall === 'connect') return 'not_sent';
  return 'unknown';
}
