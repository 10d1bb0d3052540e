import { erasureHash } from '../../domain/privacy/erasure-hash';
import { undoMerge } from '../../services/merges/merges';
import { mergeContract } from '../../workflows/merge/contract';
import { callJson, call } from '../harness/api';
import { eventually } from '../harness/eventually';
import { recordHistory } from '../harness/histories';
import { activitiesOf, enrollmentRow, seedContact, seedEnrollment, seedSend, seedSequence } from '../harness/seed';
import { startWorld, type Json, type World } from './world';

/** Merge moves everything to the primary, ends the weaker of two live enrollments MERGED, and undo restores it all. */
let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w?.close());

const db = () => w.tdb.db;

async function mergeAndWait(key: string, primaryId: string, body: object): Promise<Json> {
  const started = await callJson(w.app, key, 'POST', `/v1/contacts/${primaryId}/merge`, body, 202);
  return eventually(async () => {
    const m = await callJson(w.app, key, 'GET', `/v1/merges/${started.id}`, undefined, 200);
    return m.status === 'running' ? undefined : m;
  }, 'the merge to finish', 30_000, 100);
}

it('merges with conflicting enrollments (keeps the one further along), moves history, links and suppressions; undo restores', async () => {
  const seq = await seedSequence(db(), { steps: [{ html: '<p>1</p>' }, { html: '<p>2</p>' }] });
  const other = await seedSequence(db());
  const primary = await seedContact(db(), { email: 'ada@merge.example', firstName: 'Ada', lastName: null, consent: 'opted_in' });
  const dup = await seedContact(db(), { email: 'ada.l@merge.example', firstName: 'Ada', lastName: 'Lovelace', timeZone: 'Europe/London' });
  await db().updateTable('contacts').set({ external_ids: JSON.stringify({ salesforce: '003A', psa: 'psa-9' }) }).where('id', '=', dup).execute();
  await db().updateTable('contacts').set({ external_ids: JSON.stringify({ salesforce: '003P' }) }).where('id', '=', primary).execute();
  const primaryEnrollment = await seedEnrollment(db(), { contactId: primary, sequenceId: seq.sequenceId });
  const dupEnrollment = await seedEnrollment(db(), { contactId: dup, sequenceId: seq.sequenceId });
  await seedSend(db(), { enrollmentId: dupEnrollment, stepId: seq.stepIds[0]!, mailboxId: seq.mailboxId });
  const dupOther = await seedEnrollment(db(), { contactId: dup, sequenceId: other.sequenceId });
  await db().insertInto('activities').values({ contact_id: dup, type: 'email_opened', data: '{}', actor: 'tracking:pixel' }).execute();
  await db().insertInto('suppressions').values({ address_normalized: 'ada.l@merge.example', reason: 'unsubscribed', created_by: 'user:x' }).execute();
  const dupActivities = (await activitiesOf(db(), dup)).length;
  const primaryBefore = await db().selectFrom('contacts').selectAll().where('id', '=', primary).executeTakeFirstOrThrow();
  const dupBefore = await db().selectFrom('contacts').selectAll().where('id', '=', dup).executeTakeFirstOrThrow();

  const merge = await mergeAndWait(w.keys.rep, primary, { duplicateIds: [dup], fields: { email: primary } });
  expect(merge).toMatchObject({ status: 'completed', primaryId: primary, duplicateIds: [dup], result: { movedActivities: dupActivities, movedEnrollments: 2, endedEnrollmentIds: [primaryEnrollment], carriedSuppression: expect.any(String) } });
  await recordHistory('merge-conflicting-enrollments', w.temporalClient.workflow.getHandle(mergeContract.id(primary)));

  // The enrollment further along (a step already sent) is kept; the other ended MERGED.
  expect(await enrollmentRow(db(), dupEnrollment)).toMatchObject({ contact_id: primary, status: 'active' });
  expect(await enrollmentRow(db(), primaryEnrollment)).toMatchObject({ contact_id: primary, status: 'ended', ended_reason: 'MERGED' });
  expect(await enrollmentRow(db(), dupOther)).toMatchObject({ contact_id: primary, status: 'active' });
  const merged = await db().selectFrom('contacts').selectAll().where('id', '=', primary).executeTakeFirstOrThrow();
  expect(merged).toMatchObject({ email: 'ada@merge.example', last_name: 'Lovelace', time_zone: 'Europe/London', external_ids: { salesforce: '003P', psa: 'psa-9' } });
  expect(await activitiesOf(db(), dup, 'email_opened')).toEqual([]);
  expect(await activitiesOf(db(), primary, 'email_opened')).toHaveLength(1);
  expect(await db().selectFrom('suppressions').select('reason').where('address_normalized', '=', 'ada@merge.example').execute()).toEqual([{ reason: 'unsubscribed' }]);

  // The duplicate is a tombstone: GET answers mergedInto, the list leaves it out, writes are refused.
  const tomb = await callJson(w.app, w.keys.rep, 'GET', `/v1/contacts/${dup}`, undefined, 200);
  expect(tomb).toMatchObject({ id: dup, mergedInto: primary, email: null, firstName: null });
  const list = await callJson(w.app, w.keys.rep, 'GET', '/v1/contacts?limit=200', undefined, 200);
  expect(list.items.map((c: { id: string }) => c.id)).not.toContain(dup);
  expect((await call(w.app, w.keys.rep, 'PATCH', `/v1/contacts/${dup}`, { firstName: 'X' })).json().error.code).toBe('MERGED');
  expect((await call(w.app, w.keys.rep, 'POST', `/v1/contacts/${primary}/merge`, { duplicateIds: [dup] })).json().error.code).toBe('MERGED');

  const undone = await callJson(w.app, w.keys.rep, 'POST', `/v1/merges/${merge.id}/undo`, undefined, 200);
  expect(undone).toMatchObject({ merge: { status: 'undone' }, restoredActivities: dupActivities, restoredEnrollments: 2, enrollmentsStillEnded: [primaryEnrollment], keptLaterEdits: [] });
  expect(await db().selectFrom('contacts').selectAll().where('id', '=', dup).executeTakeFirstOrThrow()).toMatchObject({ ...dupBefore, updated_at: expect.any(Date) });
  expect(await db().selectFrom('contacts').selectAll().where('id', '=', primary).executeTakeFirstOrThrow()).toMatchObject({ ...primaryBefore, updated_at: expect.any(Date) });
  expect(await enrollmentRow(db(), dupEnrollment)).toMatchObject({ contact_id: dup, status: 'active' });
  expect(await enrollmentRow(db(), dupOther)).toMatchObject({ contact_id: dup });
  expect(await enrollmentRow(db(), primaryEnrollment)).toMatchObject({ contact_id: primary, status: 'ended', ended_reason: 'MERGED' });
  expect(await activitiesOf(db(), dup, 'email_opened')).toHaveLength(1);
  expect(await db().selectFrom('suppressions').select('reason').where('address_normalized', '=', 'ada@merge.example').execute()).toEqual([]);
  expect((await call(w.app, w.keys.rep, 'POST', `/v1/merges/${merge.id}/undo`)).json().error.code).toBe('MERGE_ALREADY_UNDONE');
});

it('moves the activity of a planted name-variant pair, and undo brings it back; undo past the window is refused', async () => {
  const a = await seedContact(db(), { email: 'jon@variant.example', firstName: 'Jon', lastName: 'Smith' });
  const b = await seedContact(db(), { email: 'john@variant.example', firstName: 'John', lastName: 'Smith' });
  await db().insertInto('activities').values({ contact_id: b, type: 'replied', data: '{}', actor: 'webhook:mail' }).execute();
  const merge = await mergeAndWait(w.keys.admin, a, { duplicateIds: [b] });
  expect(await activitiesOf(db(), a, 'replied')).toHaveLength(1);
  await expect(undoMerge({ db: db() }, merge.id, { userId: w.keys.userIds.admin, role: 'admin' }, new Date(Date.now() + 31 * 86_400_000))).rejects.toMatchObject({ code: 'MERGE_UNDO_EXPIRED' });
  await callJson(w.app, w.keys.admin, 'POST', `/v1/merges/${merge.id}/undo`, undefined, 200);
  expect(await activitiesOf(db(), b, 'replied')).toHaveLength(1);
  expect(await activitiesOf(db(), a, 'replied')).toHaveLength(0);
});

it('refuses an erased subject (ERASED), a contact owned by someone else (NOT_OWNER), and a bad field source', async () => {
  const a = await seedContact(db(), { email: 'keep@refuse.example' });
  const erased = await seedContact(db(), { email: 'Erased@Refuse.example' });
  await db().insertInto('suppressions').values({ address_hash: erasureHash(w.config.ERASURE_HASH_SECRET!, 'erased@refuse.example'), reason: 'erased', created_by: 'workflow:erasure-1' }).execute();
  const res = await call(w.app, w.keys.admin, 'POST', `/v1/contacts/${a}/merge`, { duplicateIds: [erased] }, 409);
  expect(res.json().error.code).toBe('ERASED');

  const owned = await seedContact(db(), { email: 'owned@refuse.example', ownerId: w.keys.userIds.admin });
  expect((await call(w.app, w.keys.rep, 'POST', `/v1/contacts/${a}/merge`, { duplicateIds: [owned] }, 403)).json().error.code).toBe('NOT_OWNER');
  const bad = await call(w.app, w.keys.admin, 'POST', `/v1/contacts/${a}/merge`, { duplicateIds: [owned], fields: { email: erased } }, 400);
  expect(bad.json().error.details).toEqual([{ path: 'body.fields.email', problem: 'must be the id of the primary or of one of the duplicates' }]);
  expect(await db().selectFrom('contact_merges').select('id').where('primary_id', '=', a).execute()).toEqual([]);
});
