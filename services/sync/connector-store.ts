/**
 * A connector as the engine uses it: its row, its parsed settings and its opened client secret. The
 * secret is sealed at rest with SECRETS_KEY (db/secret-box.ts), like mailbox credentials.
 */
import type { Db } from '../../db/database';
import { createSecretBox } from '../../db/secret-box';
import type { ConnectorRow } from '../../db/sync-tables';
import { storedConnectorSettings, type StoredConnectorSettings } from '../../domain/sync/settings';
import { notFound, unavailable } from '../errors';

export interface SyncConnector {
  row: ConnectorRow;
  settings: StoredConnectorSettings;
}

export function parseStoredSettings(row: Pick<ConnectorRow, 'settings'>): StoredConnectorSettings {
  return storedConnectorSettings.parse(row.settings);
}

export async function loadConnector(db: Db, id: string): Promise<SyncConnector | undefined> {
  const row = await db.selectFrom('connectors').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? { row, settings: parseStoredSettings(row) } : undefined;
}

/** How many connectors exist (erasure says NOT_CONNECTED when none does). */
export async function countConnectors(db: Db): Promise<number> {
  const row = await db.selectFrom('connectors').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function requireConnector(db: Db, id: string): Promise<SyncConnector> {
  const found = await loadConnector(db, id);
  if (!found) throw notFound('Connector', id);
  return found;
}

export function openClientSecret(row: Pick<ConnectorRow, 'secret'>, secretsKey: string | undefined): string {
  if (!row.secret) throw unavailable('CONNECTOR_SECRET_MISSING', 'The connector has no client secret; set one with PATCH /v1/connectors/:id.');
  if (!secretsKey) throw unavailable('SECRETS_KEY_NOT_CONFIGURED', 'Connector credentials are stored encrypted and SECRETS_KEY is not set; set it (npm start does).');
  return createSecretBox(secretsKey).open(row.secret);
}

export function sealClientSecret(secret: string, secretsKey: string | undefined): string {
  if (!secretsKey) throw unavailable('SECRETS_KEY_NOT_CONFIGURED', 'Connector credentials are stored encrypted and SECRETS_KEY is not set on the API; set it (npm start does) and try again.');
  return createSecretBox(secretsKey).seal(secret);
}
