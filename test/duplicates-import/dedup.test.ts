import { ensureDedupSchedule } from '../../worker/dedup-schedule';
import { beginScan, finishScan, getScan, touchScan } from '../../services/duplicates/scans';
import { dedupScanContract } from '../../workflows/dedup-scan/contract';
import { callJson } from '../harness/api';
import { eventually } from '../harness/eventually';
import { seedContact } from '../harness/seed';
import { startWorld, type Json, type World } from './world';

/** Duplicate scan: exact email and name variants (same company or none), clusters, dismissals that stick, the nightly Schedule. */
let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w?.close());

async function scan(): Promise<Json> {
  const started = await callJson(w.app, w.keys.rep, 'POST', '/v1/duplicates/scan', undefined, 202);
  return eventually(async () => {
    const s = await callJson(w.app, w.keys.operator, 'GET', `/v1/duplicates/scans/${started.id}`, undefined, 200);
    return s.status === 'running' ? undefined : s;
  }, 'the scan to finish', 30_000, 100);
}

const pairOf = (clusters: Json[], x: string, y: string) => clusters.flatMap((c: Json) => c.pairs).find((p: Json) => p.contactIds.includes(x) && p.contactIds.includes(y));

it('finds email duplicates and name variants, groups them in clusters with each member’s reasons, and dismissals stay dismissed', async () => {
  const db = w.tdb.db;
  const acme = (await db.insertInto('companies').values({ name: 'Acme', external_ids: '{}' }).returning('id').executeTakeFirstOrThrow()).id;
  const globex = (await db.insertInto('companies').values({ name: 'Globex', external_ids: '{}' }).returning('id').executeTakeFirstOrThrow()).id;
  const jose = await seedContact(db, { email: 'jose@acme.example', firstName: 'José', lastName: 'García', companyId: acme });
  const joseTypo = await seedContact(db, { email: 'jgarcia@acme.example', firstName: 'JOSE', lastName: 'Garcia', companyId: acme });
  const joseMail = await seedContact(db, { email: 'Jose@Acme.example', firstName: null, lastName: null, companyId: acme });
  const swapped = await seedContact(db, { email: 'ms@x.example', firstName: 'Smith', lastName: 'Margaret' });
  const margaret = await seedContact(db, { email: null, firstName: 'Margaret', lastName: 'Smyth' });
  // No company, two different addresses: two people who share a name, not a candidate.
  const namesake = await seedContact(db, { email: 'other.margaret@z.example', firstName: 'Margaret', lastName: 'Smith' });
  const otherCompany = await seedContact(db, { email: 'jose@globex.example', firstName: 'José', lastName: 'García', companyId: globex });
  const distinct = await seedContact(db, { email: 'ann@acme.example', firstName: 'Ann', lastName: 'Lee', companyId: acme });

  const first = await scan();
  expect(first).toMatchObject({ status: 'completed', contactsScanned: 8, pairsNew: first.pairsFound });
  const { items } = await callJson(w.app, w.keys.rep, 'GET', '/v1/duplicates', undefined, 200);
  expect(pairOf(items, jose, joseTypo)).toMatchObject({ reasons: ['DUPLICATE_NAME'], nameDistance: 0, score: 1 });
  expect(pairOf(items, jose, joseMail)).toMatchObject({ reasons: ['DUPLICATE_EMAIL'], score: 1 });
  expect(pairOf(items, swapped, margaret)).toMatchObject({ reasons: ['DUPLICATE_NAME'], nameDistance: 1 });
  expect(pairOf(items, jose, otherCompany)).toBeUndefined();
  expect(pairOf(items, swapped, namesake)).toBeUndefined();
  expect(items.flatMap((c: Json) => c.members.map((m: Json) => m.contactId))).not.toContain(distinct);
  const cluster = items.find((c: Json) => c.members.some((m: Json) => m.contactId === jose));
  expect(cluster.members.map((m: Json) => [m.contactId, m.reasons]).sort()).toEqual(
    [[jose, ['DUPLICATE_EMAIL', 'DUPLICATE_NAME']], [joseTypo, ['DUPLICATE_NAME']], [joseMail, ['DUPLICATE_EMAIL']]].sort(),
  );

  const pair = pairOf(items, swapped, margaret);
  await callJson(w.app, w.keys.rep, 'POST', `/v1/duplicates/${pair.id}/dismiss`, undefined, 200);
  await callJson(w.app, w.keys.rep, 'POST', `/v1/duplicates/${pair.id}/dismiss`, undefined, 200);
  const second = await scan();
  expect(second.pairsNew).toBe(0);
  const after = await callJson(w.app, w.keys.rep, 'GET', `/v1/duplicates?contactId=${margaret}`, undefined, 200);
  expect(pairOf(after.items, swapped, margaret)).toBeUndefined();
  expect(pairOf(after.items, namesake, margaret)).toMatchObject({ reasons: ['DUPLICATE_NAME'] });
  const stored = await db.selectFrom('duplicate_pairs').select('status').where('id', '=', pair.id).executeTakeFirstOrThrow();
  expect(stored.status).toBe('dismissed');
  expect((await callJson(w.app, w.keys.rep, 'GET', `/v1/duplicates?contactId=${jose}`, undefined, 200)).items).toHaveLength(1);
  await callJson(w.app, w.keys.operator, 'GET', '/v1/duplicates', undefined, 403);
});

it('a contact with only a name is no candidate of a name three people share, and two mailboxes of colleagues are not one person', async () => {
  const db = w.tdb.db;
  const initech = (await db.insertInto('companies').values({ name: 'Initech', external_ids: '{}' }).returning('id').executeTakeFirstOrThrow()).id;
  const bare = await seedContact(db, { email: null, firstName: 'Ana', lastName: 'Lopez' });
  const namesakes = [];
  for (const n of [1, 2, 3]) namesakes.push(await seedContact(db, { email: `ana.lopez.${n}@mail${n}.example`, firstName: 'Ana', lastName: 'Lopez' }));
  const rareBare = await seedContact(db, { email: null, firstName: 'Zebedee', lastName: 'Quillfeather' });
  const rare = await seedContact(db, { email: 'zq@mail.example', firstName: 'Zebedee', lastName: 'Quilfeather' });
  const mary = await seedContact(db, { email: 'mary.smith@initech.example', firstName: 'Mary', lastName: 'Smith', companyId: initech });
  const marc = await seedContact(db, { email: 'marc.smithers@initech.example', firstName: 'Marc', lastName: 'Smith', companyId: initech });

  await scan();
  const { items } = await callJson(w.app, w.keys.admin, 'GET', '/v1/duplicates?limit=100', undefined, 200);
  for (const other of namesakes) expect(pairOf(items, bare, other)).toBeUndefined();
  expect(pairOf(items, rareBare, rare)).toMatchObject({ reasons: ['DUPLICATE_NAME'], nameDistance: 1 });
  expect(pairOf(items, mary, marc)).toBeUndefined();
});

it('a second scan request while one runs returns the running scan', async () => {
  await w.stopWorker();
  try {
    const a = await callJson(w.app, w.keys.admin, 'POST', '/v1/duplicates/scan', undefined, 202);
    const b = await callJson(w.app, w.keys.admin, 'POST', '/v1/duplicates/scan', undefined, 200);
    expect(b.id).toBe(a.id);
  } finally {
    await w.startWorker();
  }
});

it('keeps the nightly Schedule in step (create, update, off deletes it)', async () => {
  const client = w.temporalClient;
  await ensureDedupSchedule(client, { taskQueue: w.taskQueue, at: '03:00' });
  await ensureDedupSchedule(client, { taskQueue: w.taskQueue, at: '04:30' });
  const described = await client.schedule.getHandle(dedupScanContract.scheduleId).describe();
  expect(described.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 4, end: 4, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
  expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: dedupScanContract.type, taskQueue: w.taskQueue });
  await ensureDedupSchedule(client, { taskQueue: w.taskQueue, at: 'off' });
  await expect(client.schedule.getHandle(dedupScanContract.scheduleId).describe()).rejects.toThrow();
});

it('a progress write that lands after the scan finished leaves the finished figures alone', async () => {
  const { scan: row } = await beginScan(w.tdb.db, 'api', null);
  await finishScan(w.tdb.db, row.id, { contactsScanned: 8, comparisons: 3, found: 1, fresh: 1 });
  await touchScan(w.tdb.db, row.id, 7);
  expect(await getScan(w.tdb.db, row.id)).toMatchObject({ status: 'completed', contacts_scanned: 8 });
});
