/**
 * crm_erasures_overdue is the erasure service's own count: an erasure request accepted through the API
 * two months after it was received is overdue while it runs (no worker at first, so it stays running),
 * a fresh one is not, and once the erasure workflow completes it is overdue no more. The workers' gauge
 * is read from the same registry a worker serves, by its collect callback against the real database.
 */
import { createWorkerMetrics } from '../../services/metrics/worker-metrics';
import { awaitErasure, createErasureWorld, requestErasure, type ErasureWorld } from '../erasure/world';
import { parseExposition } from './exposition';

jest.setTimeout(150_000);

let world: ErasureWorld;
beforeAll(async () => {
  world = await createErasureWorld({ name: 'metrics', worker: false });
});
afterAll(() => world?.close());

it('counts a running request past its due date, not a fresh one, and not once it completed', async () => {
  const metrics = createWorkerMetrics({ db: world.ctx.tdb.db });
  const scrape = async () => parseExposition(await metrics.registry.metrics());
  const overdue = async () => (await scrape()).value('crm_erasures_overdue');
  expect(await overdue()).toBe(0);

  const receivedAt = new Date(Date.now() - 62 * 86_400_000).toISOString();
  const late = await requestErasure(world, { email: 'late.subject@erasure.example', receivedAt });
  expect(late).toMatchObject({ status: 'running', overdue: true });
  expect(await overdue()).toBe(1);
  await requestErasure(world, { email: 'fresh.subject@erasure.example' });
  expect(await overdue()).toBe(1);

  await world.startWorker();
  await awaitErasure(world, late.id);
  expect(await overdue()).toBe(0);
  const m = await scrape();
  expect(m.value('crm_state_metric_errors_total')).toBe(0);
  // Nothing personal in the scrape: no address, no request id.
  for (const secret of ['late.subject', 'fresh.subject', late.id as string]) expect(m.text).not.toContain(secret);
});
