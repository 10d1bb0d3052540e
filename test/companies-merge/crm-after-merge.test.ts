/**
 * A merge and the CRM loop, against the Salesforce emulator (unmodified jsforce): the duplicate's
 * account link moved to the primary, so the next cycle updates the primary (and neither the tombstone
 * nor a new company); resolving someone at the account's domain finds the primary.
 */
import { sql } from 'kysely';
import { call, callJson } from '../harness/api';
import { startSyncWorld, type Json, type SyncWorld } from '../sync/world';

jest.setTimeout(120_000);

let w: SyncWorld;
beforeAll(async () => {
  w = await startSyncWorld();
});
afterAll(async () => w?.close());

it('the next cycle writes the account to the primary, not the tombstone, and creates no company', async () => {
  const connectorId = await w.createConnector({ scope: 'linked_only' });
  await w.runCycle(connectorId);
  const [accountId] = w.emulator.control.seed('Account', [{ Name: 'Initrode', Type: 'Customer', Website: 'https://initrode.example' }]) as [string];
  const resolved: Json = await callJson(w.app, w.keys.rep, 'POST', '/v1/people/resolve', { email: 'pm@initrode.example', source: 'form' }, 201);
  expect(resolved).toMatchObject({ outcome: 'MATCH_CRM_DOMAIN', company: { created: true } });
  const linked = resolved.company.id as string;

  const primary: Json = await callJson(w.app, w.keys.admin, 'POST', '/v1/companies', { name: 'Initrode (local)', domains: ['initrode-local.example'] }, 201);
  const merged: Json = await callJson(w.app, w.keys.admin, 'POST', `/v1/companies/${primary.id}/merge`, { duplicateIds: [linked] }, 200);
  expect(merged).toMatchObject({ moved: { contacts: 1, crmLinks: 1 }, company: { domains: ['initrode-local.example', 'initrode.example'] } });
  const companiesBefore = await w.tdb.db.selectFrom('companies').select('id').execute();

  w.emulator.control.edit(accountId, { Name: 'Initrode Global' });
  await w.later();
  expect(await w.runCycle(connectorId)).toMatchObject({ status: 'completed' });

  expect(await w.tdb.db.selectFrom('companies').select('id').execute()).toHaveLength(companiesBefore.length);
  expect(await w.tdb.db.selectFrom('companies').select(['name', 'merged_into', 'domains']).where('id', '=', linked).executeTakeFirst()).toEqual({ name: 'Initrode', merged_into: primary.id, domains: [] });
  expect(await w.tdb.db.selectFrom('companies').select('name').where('id', '=', primary.id).executeTakeFirst()).toEqual({ name: 'Initrode Global' });
  expect(await w.tdb.db.selectFrom('sync_records').select(['local_id', 'status']).where('connector_id', '=', connectorId).where('external_id', '=', accountId).executeTakeFirst()).toEqual({ local_id: primary.id, status: 'synced' });

  const colleague: Json = await callJson(w.app, w.keys.rep, 'POST', '/v1/people/resolve', { email: 'cto@initrode.example', source: 'reply' }, 201);
  expect(colleague).toMatchObject({ outcome: 'MATCH_ACCOUNT_DOMAIN', company: { id: primary.id } });
  expect(await w.tdb.db.selectFrom('companies').select('id').where(sql<boolean>`domains @> array['initrode.example']::text[]`).execute()).toEqual([{ id: primary.id }]);
});

it('an open review naming a merged company names the primary; the tombstone cannot be linked, the primary can', async () => {
  const lookalike: Json = await callJson(w.app, w.keys.admin, 'POST', '/v1/companies', { name: 'Lookalike Ltd', domains: ['lookalike.example'] }, 201);
  const primary: Json = await callJson(w.app, w.keys.admin, 'POST', '/v1/companies', { name: 'Lookalike Holding', domains: ['lookalike-holding.example'] }, 201);
  const connectorId = await w.createConnector({ scope: 'all' });
  await w.runCycle(connectorId);
  const [accountId] = w.emulator.control.seed('Account', [{ Name: 'Lookalike Ltd', Type: 'Customer', Website: 'https://lookalike.example' }]) as [string];
  await w.later();
  await w.runCycle(connectorId);
  const queue = async (): Promise<Json> => (await callJson(w.app, w.keys.operator, 'GET', `/v1/connectors/${connectorId}/review-queue`, undefined, 200)).items.find((i: Json) => i.externalId === accountId);
  expect(await queue()).toMatchObject({ candidateIds: [lookalike.id] });

  const merged: Json = await callJson(w.app, w.keys.admin, 'POST', `/v1/companies/${primary.id}/merge`, { duplicateIds: [lookalike.id] }, 200);
  expect(merged.moved).toMatchObject({ reviewItems: 1 });
  const item = await queue();
  expect(item).toMatchObject({ candidateIds: [primary.id] });

  const toTombstone = await call(w.app, w.keys.admin, 'POST', `/v1/connectors/${connectorId}/review-queue/${item.id}/resolve`, { action: 'link', localId: lookalike.id }, 400);
  expect(toTombstone.json().error.details).toEqual([expect.objectContaining({ path: 'body.localId' })]);
  expect(await callJson(w.app, w.keys.admin, 'POST', `/v1/connectors/${connectorId}/review-queue/${item.id}/resolve`, { action: 'link', localId: primary.id }, 200)).toMatchObject({ status: 'linked', resolvedLocalId: primary.id });
  expect(await w.tdb.db.selectFrom('sync_records').select(['local_id', 'status']).where('connector_id', '=', connectorId).where('external_id', '=', accountId).executeTakeFirst()).toEqual({ local_id: primary.id, status: 'synced' });
});
