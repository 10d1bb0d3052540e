/**
 * The erasure API without a worker (requests stay `running`): roles, validation, one live request per
 * subject, deadlines, extensions and the overdue list. No answer carries personal data.
 */
import { countOverdueErasures } from '../../services/erasure/requests';
import { call, callJson } from '../harness/api';
import { seedContact } from '../harness/seed';
import { createErasureWorld, requestErasure, type ErasureWorld } from './world';

let world: ErasureWorld;
beforeAll(async () => {
  world = await createErasureWorld({ name: 'api', worker: false });
});
afterAll(() => world?.close());

it('compliance requests; admins and operators read; reps get nothing', async () => {
  const { app, keys } = world.ctx;
  const contactId = await seedContact(world.ctx.tdb.db, { email: 'roles@erasure.example' });
  for (const key of [keys.rep, keys.admin, keys.operator]) expect((await call(app, key, 'POST', '/v1/erasure-requests', { contactId })).statusCode).toBe(403);
  const r = await requestErasure(world, { contactId });
  expect(r).toMatchObject({ status: 'running', workflowId: `erasure-${r.id}`, subject: { kind: 'contact', contactId, contacts: 1 } });
  for (const key of [keys.admin, keys.operator, keys.compliance]) expect((await call(app, key, 'GET', `/v1/erasure-requests/${r.id}`)).statusCode).toBe(200);
  expect((await call(app, keys.rep, 'GET', `/v1/erasure-requests/${r.id}`)).statusCode).toBe(403);
  expect((await call(app, keys.rep, 'GET', '/v1/erasure-requests')).statusCode).toBe(403);
  expect((await call(app, keys.admin, 'POST', `/v1/erasure-requests/${r.id}/extend`, { reason: 'complex' })).statusCode).toBe(403);
  expect((await call(app, keys.rep, 'GET', '/v1/erasure-receipts/verify')).statusCode).toBe(403);
  // Still running (no worker here): no receipt yet, and the answer says so.
  const pending = await call(app, keys.compliance, 'GET', `/v1/erasure-requests/${r.id}/receipt`);
  expect({ status: pending.statusCode, code: pending.json().error.code }).toEqual({ status: 404, code: 'RECEIPT_NOT_READY' });
  // The workflow exists, with the request id and the contact as search attributes (ids only).
  const d = await world.temporal.client.workflow.getHandle(`erasure-${r.id}`).describe();
  expect(d.searchAttributes).toMatchObject({ ErasureRequestId: [r.id], ContactId: [contactId] });
});

it('validates the request, naming fields, and never echoes an address', async () => {
  const { app, keys } = world.ctx;
  const bad = async (body: unknown, path: string, status = 400) => {
    const res = await call(app, keys.compliance, 'POST', '/v1/erasure-requests', body);
    expect({ status: res.statusCode, paths: res.json().error.details.map((d: { path: string }) => d.path) }).toEqual({ status, paths: expect.arrayContaining([path]) });
    return res;
  };
  await bad({}, 'body.contactId');
  await bad({ contactId: '00000000-0000-4000-8000-000000000001', email: 'both@erasure.example' }, 'body.contactId');
  await bad({ email: 'not-an-address' }, 'body.email');
  await bad({ email: 'future@erasure.example', receivedAt: new Date(Date.now() + 86_400_000).toISOString() }, 'body.receivedAt');
  const leaky = await bad({ email: 'quiet@erasure.example', reference: 'ticket for loud@erasure.example' }, 'body.reference');
  expect(leaky.body).not.toContain('loud@erasure.example');
  const missing = await call(app, keys.compliance, 'POST', '/v1/erasure-requests', { contactId: '00000000-0000-4000-8000-000000000002' });
  expect(missing.statusCode).toBe(404);
  expect(missing.json().error.code).toBe('SUBJECT_NOT_FOUND');
  expect((await call(app, keys.compliance, 'GET', '/v1/erasure-requests/00000000-0000-4000-8000-000000000003')).json().error.code).toBe('ERASURE_NOT_FOUND');
});

it('one live request per subject: by id, by address, and concurrently', async () => {
  const db = world.ctx.tdb.db;
  const a = await seedContact(db, { email: 'Twice@Erasure.example' });
  const b = await seedContact(db, { email: 'twice@erasure.example' });
  const results = await Promise.all([
    call(world.ctx.app, world.ctx.keys.compliance, 'POST', '/v1/erasure-requests', { contactId: a }),
    call(world.ctx.app, world.ctx.keys.compliance, 'POST', '/v1/erasure-requests', { email: 'TWICE@erasure.example' }),
    call(world.ctx.app, world.ctx.keys.compliance, 'POST', '/v1/erasure-requests', { contactId: b }),
  ]);
  expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 202]);
  const ids = new Set(results.map((r) => r.json().id));
  expect(ids.size).toBe(1);
  // Both contacts share the address: one subject, both covered.
  expect(results[0]!.json().subject.contacts).toBe(2);
  expect(await db.selectFrom('erasure_requests').select('id').where('id', 'in', [...ids]).execute()).toHaveLength(1);
});

it('dueAt is receivedAt + 1 calendar month; one extension within the first month; overdue requests are listed and counted', async () => {
  const { app, keys } = world.ctx;
  const fresh = await requestErasure(world, { email: 'deadline@erasure.example', receivedAt: '2025-01-31T09:00:00Z' });
  expect(fresh).toMatchObject({ receivedAt: '2025-01-31T09:00:00.000Z', dueAt: '2025-02-28T09:00:00.000Z', overdue: true });
  const late = await call(app, keys.compliance, 'POST', `/v1/erasure-requests/${fresh.id}/extend`, { reason: 'Several systems involved' });
  expect(late.statusCode).toBe(409);
  expect(late.json().error).toMatchObject({ code: 'ERASURE_EXTENSION_TOO_LATE', message: expect.stringMatching(/within the first month/) });

  const recent = new Date(Date.now() - 3 * 86_400_000).toISOString();
  const r = await requestErasure(world, { email: 'extend@erasure.example', receivedAt: recent });
  const extended = await callJson(app, keys.compliance, 'POST', `/v1/erasure-requests/${r.id}/extend`, { reason: 'Data in three systems', months: 2 }, 200);
  const due = new Date(r.dueAt);
  const expected = new Date(Date.UTC(due.getUTCFullYear(), due.getUTCMonth() + 2, due.getUTCDate(), due.getUTCHours(), due.getUTCMinutes(), due.getUTCSeconds(), due.getUTCMilliseconds()));
  if (expected.getUTCDate() !== due.getUTCDate()) expected.setUTCDate(0); // month end
  expect(extended.extendedUntil).toBe(expected.toISOString());
  const twice = await call(app, keys.compliance, 'POST', `/v1/erasure-requests/${r.id}/extend`, { reason: 'again' });
  expect(twice.json().error.code).toBe('ERASURE_ALREADY_EXTENDED');
  expect((await call(app, keys.compliance, 'POST', `/v1/erasure-requests/${r.id}/extend`, { reason: 'more', months: 3 })).statusCode).toBe(400);

  const overdue = await callJson(app, keys.operator, 'GET', '/v1/erasure-requests?overdue=true&limit=200', undefined, 200);
  expect(overdue.items.map((i: { id: string }) => i.id)).toContain(fresh.id);
  expect(overdue.items.map((i: { id: string }) => i.id)).not.toContain(r.id);
  const running = await callJson(app, keys.admin, 'GET', '/v1/erasure-requests?status=running&limit=1', undefined, 200);
  expect(running.items).toHaveLength(1);
  expect(running.nextCursor).not.toBeNull();
  expect((await call(app, keys.admin, 'GET', '/v1/erasure-requests?cursor=forged')).statusCode).toBe(400);
  expect(await countOverdueErasures(world.ctx.tdb.db, new Date())).toBe(overdue.items.length);
  expect(await countOverdueErasures(world.ctx.tdb.db, new Date('2025-02-01T00:00:00Z'))).toBe(0);
});
