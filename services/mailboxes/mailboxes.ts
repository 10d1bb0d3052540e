/**
 * Mailboxes (admin). Secrets (SMTP password, M365 client secret) are write-only: stored encrypted
 * (SECRETS_KEY) in `secret`, reported as `hasSecret`. Connect / disconnect / sync on-off are updates of
 * `connected` / `syncEnabled`; a change wakes the enrollments that send through the mailbox.
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/database';
import { liveEnrollmentIdsOfMailbox } from '../../db/enrollments';
import { pageInCreationOrder, type Page } from '../../db/pagination';
import type { MailboxRecord } from '../../db/schema';
import { createSecretBox, type SecretBox } from '../../db/secret-box';
import type { AppConfig } from '../../domain/config';
import type { MailboxProvider } from '../../domain/sequences/vocabulary';
import { signalEnrollments } from '../../temporal/enrollment-workflows';
import { invalidFields, notFound, unavailable } from '../errors';

interface SmtpInput {
  host: string;
  port: number;
  secure: boolean;
  user?: string | null;
  password?: string | null;
}
interface M365Input {
  tenantId: string;
  clientId: string;
  clientSecret?: string;
}

export interface MailboxFields {
  address?: string;
  displayName?: string | null;
  connected?: boolean;
  syncEnabled?: boolean;
  dailyLimit?: number;
  perMinuteLimit?: number;
  smtp?: SmtpInput;
  m365?: M365Input;
}

const canSend = (m: Pick<MailboxRecord, 'connected' | 'sync_enabled'>) => m.connected && m.sync_enabled;

const storedSettings = (b: MailboxFields) =>
  b.smtp ? { host: b.smtp.host, port: b.smtp.port, secure: b.smtp.secure, user: b.smtp.user ?? null } : b.m365 ? { tenantId: b.m365.tenantId, clientId: b.m365.clientId } : undefined;

export function mailboxService(deps: { db: Db; temporal: Client; config: Pick<AppConfig, 'SECRETS_KEY'> }) {
  const { db, temporal, config } = deps;
  const box: SecretBox | undefined = config.SECRETS_KEY ? createSecretBox(config.SECRETS_KEY) : undefined;
  /** A credential as stored: sealed; refused (nothing written) when there is no key to seal it with. */
  const seal = <T extends string | null | undefined>(secret: T): T => {
    if (secret === null || secret === undefined) return secret;
    if (!box) throw unavailable('SECRETS_KEY_NOT_CONFIGURED', 'Mailbox credentials are stored encrypted and SECRETS_KEY is not set on the API; set it (npm start does) and try again.');
    return box.seal(secret) as T;
  };

  async function get(id: string): Promise<MailboxRecord> {
    const row = await db.selectFrom('mailboxes').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('Mailbox', id);
    return row;
  }

  return {
    get,
    list: (q: { limit: number; cursor?: string }): Promise<Page<MailboxRecord>> => pageInCreationOrder(db.selectFrom('mailboxes').selectAll(), q),

    create(b: MailboxFields & { provider: MailboxProvider; address: string; connected: boolean; syncEnabled: boolean }): Promise<MailboxRecord> {
      return db
        .insertInto('mailboxes')
        .values({
          provider: b.provider,
          address: b.address,
          display_name: b.displayName ?? null,
          connected: b.connected,
          sync_enabled: b.syncEnabled,
          daily_limit: b.dailyLimit,
          per_minute_limit: b.perMinuteLimit,
          settings: JSON.stringify(storedSettings(b) ?? {}),
          secret: seal((b.smtp ? b.smtp.password : b.m365?.clientSecret) ?? null),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    async update(id: string, b: MailboxFields): Promise<MailboxRecord> {
      const before = await get(id);
      const wrong = before.provider === 'smtp' ? 'm365' : 'smtp';
      if (b[wrong] !== undefined) throw invalidFields([{ path: `body.${wrong}`, problem: `not allowed: the mailbox provider is "${before.provider}"` }]);
      const settings = storedSettings(b);
      // An omitted secret keeps the stored one; an explicit null (SMTP password) clears it.
      const secret = seal(b.smtp?.password !== undefined ? b.smtp.password : b.m365?.clientSecret);
      const row = await db
        .updateTable('mailboxes')
        .set({
          ...(b.address !== undefined && { address: b.address }),
          ...(b.displayName !== undefined && { display_name: b.displayName }),
          ...(b.connected !== undefined && { connected: b.connected }),
          ...(b.syncEnabled !== undefined && { sync_enabled: b.syncEnabled }),
          ...(b.dailyLimit !== undefined && { daily_limit: b.dailyLimit }),
          ...(b.perMinuteLimit !== undefined && { per_minute_limit: b.perMinuteLimit }),
          ...(settings && { settings: JSON.stringify(settings) }),
          ...(secret !== undefined && { secret }),
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      // Enrollments holding on MAILBOX_NOT_CONNECTED / MAILBOX_SYNC_DISABLED re-check now instead of at their safety timer.
      if (canSend(before) !== canSend(row)) await signalEnrollments(temporal, await liveEnrollmentIdsOfMailbox(db, row.id), { kind: 'gatesChanged' });
      return row;
    },
  };
}
