/**
 * Connectors (admins write, operators read): their settings (validated; the client secret sealed with
 * SECRETS_KEY and never returned) and their loop's lifecycle: creating one starts `crm-sync-<id>`,
 * changing settings re-decides every record from its stored snapshot and signals the loop, pausing /
 * resuming / sync-now / resync signal it, deleting stops it.
 */
import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import type { Db } from '../../db/database';
import { pageInCreationOrder, type Page } from '../../db/pagination';
import type { ConnectorRow } from '../../db/sync-tables';
import type { AppConfig } from '../../domain/config';
import { settingsProblems, storedConnectorSettings, type StoredConnectorSettings } from '../../domain/sync/settings';
import type { ConnectorType } from '../../domain/sync/vocabulary';
import { syncWorkflows } from '../../temporal/sync-workflows';
import { crmSyncContract } from '../../workflows/crm-sync/contract';
import type { Actor } from '../actor';
import { conflict, invalidFields } from '../errors';
import { parseStoredSettings, requireConnector, sealClientSecret } from './connector-store';
import { ensureCursors } from './cycles';
import { queueEverything } from './outbound-push';

export interface ConnectorJson {
  id: string;
  type: ConnectorType;
  name: string;
  status: ConnectorRow['status'];
  workflowId: string;
  settings: StoredConnectorSettings & { hasClientSecret: boolean };
  lastError: { code: string; at: string } | null;
  createdAt: string;
  updatedAt: string;
}

export function toConnectorJson(row: ConnectorRow): ConnectorJson {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    status: row.status,
    workflowId: row.workflow_id,
    settings: { ...parseStoredSettings(row), hasClientSecret: row.secret !== null },
    lastError: row.last_error_code ? { code: row.last_error_code, at: (row.last_error_at ?? row.updated_at).toISOString() } : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Settings whose change can change decisions already made: every record is decided again from its snapshot. */
const DECIDING = ['objects', 'scope', 'filter', 'activeField', 'domainsField', 'deleteInactiveContacts', 'skipB2C', 'detectDuplicatesOnCreate', 'syncAddresses', 'customFields', 'allowDuplicateEmails'] as const;
const CONNECTION = ['loginUrl', 'clientId', 'apiVersion'] as const;

export function validated(raw: Record<string, unknown>, prefix: string): StoredConnectorSettings {
  const parsed = storedConnectorSettings.safeParse(raw);
  if (!parsed.success) throw invalidFields(parsed.error.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].join('.'), problem: i.message })));
  const problems = settingsProblems(parsed.data);
  if (problems.length > 0) throw invalidFields(problems.map((p) => ({ path: `${prefix}.${p.path}`, problem: p.problem })));
  return parsed.data;
}

export function connectorService(deps: { db: Db; temporal: Client; config: Pick<AppConfig, 'SECRETS_KEY' | 'TEMPORAL_TASK_QUEUE'> }) {
  const { db, config } = deps;
  const loops = syncWorkflows(deps.temporal, config);

  async function get(id: string): Promise<ConnectorRow> {
    return (await requireConnector(db, id)).row;
  }

  /** Every record of the connector decided again (the next cycle, which the signal starts now). */
  async function reevaluateAll(connectorId: string): Promise<void> {
    await sql`
      insert into sync_pending (connector_id, object, external_id, op, priority)
      select connector_id, object, external_id, 'reeval', 1 from sync_records where connector_id = ${connectorId} and snapshot is not null
      on conflict do nothing`.execute(db);
  }

  return {
    get,
    list: (q: { limit: number; cursor?: string }): Promise<Page<ConnectorRow>> => pageInCreationOrder(db.selectFrom('connectors').selectAll(), q),

    async create(body: { type: ConnectorType; name: string; settings: Record<string, unknown> & { clientSecret: string } }, actor: Actor): Promise<ConnectorRow> {
      const { clientSecret, ...rest } = body.settings;
      const settings = validated(rest, 'body.settings');
      const secret = sealClientSecret(clientSecret, config.SECRETS_KEY);
      const row = await db.transaction().execute(async (tx) => {
        const id = (await sql<{ id: string }>`select gen_random_uuid() as id`.execute(tx)).rows[0]!.id;
        const inserted = await tx
          .insertInto('connectors')
          .values({ id, type: body.type, name: body.name, settings: JSON.stringify(settings), secret, workflow_id: crmSyncContract.id(id), created_by: actor.userId })
          .returningAll()
          .executeTakeFirstOrThrow();
        await ensureCursors(tx, id, settings);
        if (settings.outbound) await queueEverything(tx, id);
        return inserted;
      });
      await loops.start(row.id);
      return row;
    },

    async update(id: string, body: { name?: string; settings?: Record<string, unknown> & { clientSecret?: string } }): Promise<ConnectorRow> {
      const before = await get(id);
      const current = parseStoredSettings(before);
      const { clientSecret, ...patch } = body.settings ?? {};
      const next = validated({ ...current, ...patch }, 'body.settings');
      const changed = (keys: readonly string[]) => keys.some((k) => JSON.stringify((current as Record<string, unknown>)[k]) !== JSON.stringify((next as Record<string, unknown>)[k]));
      const credentialsChanged = clientSecret !== undefined || changed(CONNECTION);
      const row = await db.transaction().execute(async (tx) => {
        const updated = await tx
          .updateTable('connectors')
          .set({
            ...(body.name !== undefined && { name: body.name }),
            settings: JSON.stringify(next),
            ...(clientSecret !== undefined && { secret: sealClientSecret(clientSecret, config.SECRETS_KEY) }),
            // New credentials end an authentication failure: the loop tries them at once.
            ...(credentialsChanged && before.status === 'auth_failed' && { status: 'active' as const, last_error_code: null, last_error_at: null }),
            updated_at: new Date(),
          })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await ensureCursors(tx, id, next);
        // Outbound turned on: every local company and contact is decided once (then only changes are).
        if (next.outbound && !current.outbound) await queueEverything(tx, id);
        return updated;
      });
      if (changed(DECIDING)) await reevaluateAll(id);
      await loops.signal(id, 'settingsChanged');
      return row;
    },

    async remove(id: string): Promise<void> {
      await get(id);
      await loops.stop(id);
      await db.deleteFrom('connectors').where('id', '=', id).execute();
    },

    async pause(id: string): Promise<ConnectorRow> {
      await get(id);
      const row = await db.updateTable('connectors').set({ status: 'paused', updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
      await loops.signal(id, 'pause');
      return row;
    },

    async resume(id: string): Promise<ConnectorRow> {
      await get(id);
      const row = await db.updateTable('connectors').set({ status: 'active', last_error_code: null, last_error_at: null, updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
      await loops.signal(id, 'resume');
      return row;
    },

    async syncNow(id: string): Promise<ConnectorRow> {
      const row = await get(id);
      if (row.status === 'paused') throw conflict('CONNECTOR_PAUSED', `Connector ${id} is paused; resume it (POST /v1/connectors/${id}/resume) to sync.`);
      await loops.signal(id, 'syncNow');
      return row;
    },

    /** Every object read again in full on the next cycle (started now), diffed against what was synced. */
    async resync(id: string): Promise<ConnectorRow> {
      const row = await get(id);
      if (row.status === 'paused') throw conflict('CONNECTOR_PAUSED', `Connector ${id} is paused; resume it (POST /v1/connectors/${id}/resume) to sync.`);
      await db.updateTable('sync_cursors').set({ full_load: sql`coalesce(full_load, 'requested')`, updated_at: new Date() }).where('connector_id', '=', id).execute();
      await loops.signal(id, 'syncNow');
      return row;
    },
  };
}
