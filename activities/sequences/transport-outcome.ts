/**
 * What a failed hand-off to the mailbox means for the never-twice guarantee, from the transport's
 * typed error (provider, stage, status), never from its message:
 *  - `rejected`: the provider answered with a permanent refusal; nothing was sent, a retry would fail too;
 *  - `not_sent`: provably nothing went out (no connection or greeting, no Graph token, an SMTP 4xx reply,
 *    Graph 429/503); the same row may be tried again later;
 *  - `unknown`: the message may have gone out (socket died mid-transfer, timeout, gateway error):
 *    the step becomes `uncertain` and is never sent again.
 * When in doubt the answer is `unknown`: a visible uncertain step beats a duplicate email.
 */
import { MailTransportError } from '../../integrations/mail/transport';

export type TransportOutcome = 'rejected' | 'not_sent' | 'unknown';

export function classifyTransportError(err: unknown): TransportOutcome {
  if (!(err instanceof MailTransportError)) return 'unknown';
  if (!err.retryable) return 'rejected';
  if (err.stage === 'connect' || err.stage === 'token') return 'not_sent';
  if (err.provider === 'graph') return err.status === 429 || err.status === 503 ? 'not_sent' : 'unknown';
  // SMTP: a 4xx reply is the server saying "not accepted, try later".
  return err.status !== undefined && err.status >= 400 && err.status < 500 ? 'not_sent' : 'unknown';
}
