/**
 * The CRM sync gauges after a real sync cycle (the loop's activities against the Salesforce emulator,
 * through unmodified jsforce): records by status and decision code, and the share of the API budget
 * used — the connector's own calls against its allowance, and the org's use as Salesforce reported it.
 */
import { createWorkerMetrics } from '../../services/metrics/worker-metrics';
import { seedAccount, seedContacts, startSyncWorld, type SyncWorld } from '../sync/world';
import { parseExposition } from './exposition';

jest.setTimeout(120_000);

let w: SyncWorld;
beforeAll(async () => {
  w = await startSyncWorld();
});
afterAll(async () => w?.close());

it('shows records by decision code and the API budget used once a cycle ran', async () => {
  const metrics = createWorkerMetrics({ db: w.tdb.db });
  const scrape = async () => parseExposition(await metrics.registry.metrics());
  w.emulator.control.setLimits({ dailyApiRequests: { max: 1000, used: 400 } });
  const accountId = seedAccount(w, { Name: 'Metrics Co', Type: 'Customer', Website: 'https://metrics-co.example' });
  seedContacts(w, [
    { AccountId: accountId, FirstName: 'Greta', LastName: 'Gaugeworth', Email: 'greta@metrics-co.example' },
    { AccountId: accountId, FirstName: 'Ivo', LastName: 'Inactive', Email: 'ivo@metrics-co.example', Active__c: false },
  ]);
  const connectorId = await w.createConnector();
  const before = await scrape();
  expect(before.value('crm_sync_records', { connector_id: connectorId })).toBe(0);

  const cycle = await w.runCycle(connectorId);
  expect(cycle).toMatchObject({ status: 'completed' });
  const m = await scrape();
  expect(m.value('crm_sync_records', { connector_id: connectorId, status: 'synced', code: 'none' })).toBe(2);
  expect(m.value('crm_sync_records', { connector_id: connectorId, status: 'skipped', code: 'CONTACT_INACTIVE' })).toBe(1);

  const row = await w.tdb.db.selectFrom('connectors').select(['org_api_used', 'org_api_limit']).where('id', '=', connectorId).executeTakeFirstOrThrow();
  expect(row.org_api_limit).toBe(1000);
  expect(row.org_api_used).toBeGreaterThan(400);
  expect(m.value('crm_sync_api_budget_used_ratio', { connector_id: connectorId, budget: 'org' })).toBeCloseTo(row.org_api_used! / 1000, 6);
  // apiBudgetShare defaults to 0.5: an allowance of 500 calls a day.
  expect(cycle.api_calls).toBeGreaterThan(0);
  expect(m.value('crm_sync_api_budget_used_ratio', { connector_id: connectorId, budget: 'connector_share' })).toBeCloseTo(cycle.api_calls / 500, 6);
  expect(m.value('crm_state_metric_errors_total')).toBe(0);
  // Codes and the opaque connector id only: no address, no name, no CRM record id.
  for (const secret of ['greta@metrics-co.example', 'Gaugeworth', 'Metrics Co', accountId]) expect(m.text).not.toContain(secret);
});
