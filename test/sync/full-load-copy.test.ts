/**
 * A first load writes its pages' new rows with COPY (services/sync/load-copy.ts), the records' state
 * included, because no record of the object was stored when it began. If another writer stores one of
 * them meanwhile, the page's COPY fails on the primary key: the page is rolled back and applied again
 * through the lookups (an update of that row), and so are the remaining pages. Nothing is duplicated.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { requireSetting } from '../../domain/config';
import type { BulkQueryPage } from '../../integrations/salesforce';
import { loadConnector } from '../../services/sync/connector-store';
import { crmClientFor } from '../../services/sync/crm-client';
import { beginCycle } from '../../services/sync/cycles';
import { fullLoadStep } from '../../services/sync/full-load';
import { crmSyncContract } from '../../workflows/crm-sync/contract';
import { seedAccount, startSyncWorld, type SyncWorld } from './world';

let w: SyncWorld;
beforeAll(async () => {
  w = await startSyncWorld();
});
afterAll(() => w?.close());

const CONTACTS = 1_200;

it('a record stored by another writer during a first load: its page is applied again as updates, nothing duplicated', async () => {
  const account = seedAccount(w);
  w.emulator.control.generate('Contact', CONTACTS, { accountId: account });
  const connectorId = await w.createConnector({ objects: ['Account', 'Contact'] });
  const cycleId = randomUUID();
  await beginCycle(w.tdb.db, { connectorId, cycleId });
  const connector = (await loadConnector(w.tdb.db, connectorId))!;
  const client = crmClientFor(connector, { secretsKey: w.config.SECRETS_KEY, sleep: () => Promise.resolve() });
  const ctx = { connectorId, settings: connector.settings, cycleId, actor: crmSyncContract.actor(connectorId), erasureSecret: requireSetting(w.config, 'ERASURE_HASH_SECRET') };
  const opts = { pageSize: 500, budgetMs: 600_000, now: Date.now };
  await fullLoadStep(w.tdb.db, client, ctx, 'Account', opts);

  // Before the second page is applied, a record of it is stored by someone else (as skipped, unlinked).
  let taken: string | undefined;
  const pagesRead: number[] = [];
  const racing = {
    ...client,
    async *bulkQuery(soql: string, o?: Parameters<typeof client.bulkQuery>[1]): AsyncGenerator<BulkQueryPage> {
      for await (const page of client.bulkQuery(soql, o)) {
        pagesRead.push(page.records.length);
        if (pagesRead.length === 2) {
          taken = page.records[10]!.Id!;
          await w.tdb.db.insertInto('sync_records').values({ connector_id: connectorId, object: 'Contact', external_id: taken, status: 'skipped', code: 'DUPLICATE_EMAIL' }).execute();
        }
        yield page;
      }
    },
  };
  expect(await fullLoadStep(w.tdb.db, racing, ctx, 'Contact', opts)).toEqual({ state: 'done', records: CONTACTS });
  expect(pagesRead).toEqual([500, 500, 200]);

  const stored = await w.tdb.db
    .selectFrom('sync_records')
    .select([sql<string>`count(*)`.as('records'), sql<string>`count(distinct local_id)`.as('contacts'), sql<string>`count(*) filter (where status = 'synced')`.as('synced')])
    .where('connector_id', '=', connectorId)
    .where('object', '=', 'Contact')
    .executeTakeFirstOrThrow();
  expect(stored).toEqual({ records: String(CONTACTS), contacts: String(CONTACTS), synced: String(CONTACTS) });
  const contacts = await w.tdb.db.selectFrom('contacts').select(sql<string>`count(*)`.as('n')).where('company_id', 'in', w.tdb.db.selectFrom('sync_records').select('local_id').where('connector_id', '=', connectorId).where('object', '=', 'Account')).executeTakeFirstOrThrow();
  expect(contacts.n).toBe(String(CONTACTS));
  // The taken record's row was updated (not inserted twice): linked, synced, seen by this load, with its earlier version kept.
  const row = await w.tdb.db.selectFrom('sync_records').select(['status', 'local_id', 'seen_cycle_id']).where('connector_id', '=', connectorId).where('external_id', '=', taken!).executeTakeFirstOrThrow();
  expect(row).toEqual({ status: 'synced', local_id: expect.any(String), seen_cycle_id: cycleId });
  const versions = await w.tdb.db.selectFrom('sync_record_versions').select(['status', 'code']).where('connector_id', '=', connectorId).where('external_id', '=', taken!).execute();
  expect(versions).toEqual([{ status: 'skipped', code: 'DUPLICATE_EMAIL' }]);
  const created = await w.tdb.db.selectFrom('activities').select(sql<string>`count(*)`.as('n')).where('type', '=', 'crm_sync_created').where(sql<boolean>`data ->> 'connectorId' = ${connectorId}`).executeTakeFirstOrThrow();
  expect(created.n).toBe(String(CONTACTS + 1));
});
