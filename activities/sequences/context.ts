import type { Db } from '../../db/database';
import { systemClock, type Clock } from '../../domain/clock';
import { createSecretBox, type SecretBox } from '../../db/secret-box';
import { requireSetting, type AppConfig } from '../../domain/config';
import type { ActivityDeps } from '../deps';
import { createMailboxTransports, type MailboxRow } from '../../integrations/mail/mailbox-transports';
import { createTrackingTokens, type TrackingTokens } from '../../domain/links/tracking-tokens';
import type { MailTransport } from '../../integrations/mail/transport';

/** What the sequence activities share, built once per worker from its injected deps. */
export interface SequenceContext {
  db: Db;
  /** Activities act at max(the workflow's nowMs, now()): never on a stale instant. */
  now: Clock;
  transportFor(mailbox: MailboxRow): MailTransport;
  /** Public base URL of the API (links in emails), without a trailing slash. */
  baseUrl: string;
  /** Signs tracking and unsubscribe tokens; throws when TRACKING_SECRET is not configured. */
  tokens(): TrackingTokens;
  /** ERASURE_HASH_SECRET: the claim refuses erased subjects (throws when not configured). */
  erasureSecret(): string;
}

/** PUBLIC_BASE_URL, defaulting to the local API (`npm start`). */
export function publicBaseUrl(config: AppConfig): string {
  return (config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, '');
}

export function createSequenceContext(deps: ActivityDeps): SequenceContext {
  let tokens: TrackingTokens | undefined;
  let box: SecretBox | undefined;
  const transports = deps.mailTransportFor ? undefined : createMailboxTransports();
  const transportOf = deps.mailTransportFor ?? ((mailbox) => transports!.forMailbox(mailbox));
  // Credentials are decrypted only here, just before a transport is built, and never leave the worker.
  const opened = (mailbox: MailboxRow): MailboxRow =>
    mailbox.secret === null ? mailbox : { ...mailbox, secret: (box ??= createSecretBox(requireSetting(deps.config, 'SECRETS_KEY'))).open(mailbox.secret) };
  return {
    db: deps.db,
    now: deps.clock ?? systemClock,
    transportFor: (mailbox) => transportOf(opened(mailbox)),
    baseUrl: publicBaseUrl(deps.config),
    tokens: () => (tokens ??= createTrackingTokens(requireSetting(deps.config, 'TRACKING_SECRET'))),
    erasureSecret: () => requireSetting(deps.config, 'ERASURE_HASH_SECRET'),
  };
}

export const workflowActor = (enrollmentId: string) => `workflow:enrollment-${enrollmentId}`;
