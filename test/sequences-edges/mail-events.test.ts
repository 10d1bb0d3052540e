import { mailEventSignature } from '../../api/routes/mail-events';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { postMailEvents } from './fixtures';
import { seedContact, seedSequence, seedEnrollment, seedSend, seedSentEmail, activitiesOf, enrollmentRow, type SeededSequence } from '../harness/seed';

let ctx: ApiContext;
let seqA: SeededSequence;
let seqB: SeededSequence;
let keepGoing: SeededSequence;
beforeAll(async () => {
  ctx = await createApiContext();
  seqA = await seedSequence(ctx.tdb.db, { unenrollOnReply: true });
  seqB = await seedSequence(ctx.tdb.db, { unenrollOnReply: true });
  keepGoing = await seedSequence(ctx.tdb.db, { unenrollOnReply: false });
});
afterAll(() => ctx.close());

const db = () => ctx.tdb.db;
const contactRow = (id: string) => db().selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const suppressionOf = (address: string) => db().selectFrom('suppressions').selectAll().where('address_normalized', '=', address).executeTakeFirst();

/** A contact with an email sent in sequence A and a second live enrollment in sequence B. */
async function enrolledTwice(email: string) {
  const contactId = await seedContact(db(), { email });
  const a = await seedSentEmail(db(), seqA, contactId);
  const enrollmentB = await seedEnrollment(db(), { contactId, sequenceId: seqB.sequenceId, status: 'waiting', waitingFor: ['OUTSIDE_SEND_WINDOW'] });
  return { contactId, ...a, enrollmentB };
}

describe('POST /v1/webhooks/mail-events: authentication', () => {
  it('rejects a missing, wrong or stale signature with 401 and changes nothing', async () => {
    const c = await enrolledTwice('sig@example.com');
    const body = { events: [{ type: 'bounce', bounceType: 'hard', messageId: c.messageId }] };
    const otherBody = { events: [{ type: 'reply', messageId: c.messageId }] };
    const cases = [null, 'sha256=' + '0'.repeat(64), 'sha256=abc', mailEventSignature('wrong-secret', JSON.stringify(body)), mailEventSignature(ctx.config.MAIL_WEBHOOK_SECRET!, JSON.stringify(otherBody))];
    for (const signature of cases) {
      const res = await postMailEvents(ctx.app, body, signature);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
    }
    expect((await contactRow(c.contactId)).status).toBe('active');
    expect((await enrollmentRow(db(), c.enrollmentId)).status).toBe('active');
  });

  it('checks the signature before parsing: unsigned garbage is 401, signed garbage is 400', async () => {
    expect((await postMailEvents(ctx.app, '{not json', null)).statusCode).toBe(401);
    const signed = await postMailEvents(ctx.app, '{not json');
    expect(signed.statusCode).toBe(400);
    expect(signed.json().error.code).toBe('INVALID_JSON');
  });

  it('accepts a charset parameter on the content type, and refuses other media types', async () => {
    const raw = JSON.stringify({ events: [{ type: 'complaint', messageId: 'nobody@nowhere' }] });
    const sig = mailEventSignature(ctx.config.MAIL_WEBHOOK_SECRET!, raw);
    const withCharset = await ctx.app.inject({ method: 'POST', url: '/v1/webhooks/mail-events', headers: { 'content-type': 'application/json; charset=utf-8', 'x-mail-signature': sig }, payload: raw });
    expect(withCharset.statusCode).toBe(200);
    expect(withCharset.json().results[0].outcome).toBe('ignored');
    const form = await ctx.app.inject({ method: 'POST', url: '/v1/webhooks/mail-events', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-mail-signature': sig }, payload: raw });
    expect(form.statusCode).toBe(415);
  });

  it('names the bad field of a signed body', async () => {
    const noType = await postMailEvents(ctx.app, { events: [{ type: 'bounce', messageId: 'x@y' }] });
    expect(noType.statusCode).toBe(400);
    expect(noType.json().error.details.map((d: { path: string }) => d.path)).toEqual(['body.events.0.bounceType']);
    const empty = await postMailEvents(ctx.app, { events: [] });
    expect(empty.json().error.details[0].path).toBe('body.events');
    const unknownType = await postMailEvents(ctx.app, { events: [{ type: 'open', messageId: 'x@y' }] });
    expect(unknownType.json().error.details[0].path).toBe('body.events.0.type');
  });
});

describe('POST /v1/webhooks/mail-events: effects', () => {
  it('hard bounce: contact bounced, address suppressed, every live enrollment ended CONTACT_BOUNCED, once', async () => {
    const c = await enrolledTwice('Hard.Bounce@Example.com');
    const body = { events: [{ type: 'bounce', bounceType: 'hard', messageId: c.messageId, occurredAt: '2025-03-01T10:00:00Z' }] };
    const res = await postMailEvents(ctx.app, body);
    expect(res.statusCode).toBe(200);
    expect(res.json().results).toEqual([{ messageId: c.messageId, type: 'bounce', outcome: 'applied', reasonCode: 'CONTACT_BOUNCED', endedEnrollmentIds: [c.enrollmentId, c.enrollmentB].sort() }]);
    expect((await contactRow(c.contactId)).status).toBe('bounced');
    expect(await suppressionOf('hard.bounce@example.com')).toMatchObject({ reason: 'bounced', created_by: 'webhook:mail-events' });
    for (const id of [c.enrollmentId, c.enrollmentB]) expect(await enrollmentRow(db(), id)).toMatchObject({ status: 'ended', ended_reason: 'CONTACT_BOUNCED' });
    const logged = await activitiesOf(db(), c.contactId, 'bounced');
    expect(logged).toEqual([expect.objectContaining({ reason_code: 'CONTACT_BOUNCED', actor: 'webhook:mail-events' })]);
    expect(logged[0]!.data).toMatchObject({ bounceType: 'hard', sendId: c.sendId, occurredAt: '2025-03-01T10:00:00Z' });

    const redelivered = await postMailEvents(ctx.app, body);
    expect(redelivered.json().results[0]).toMatchObject({ outcome: 'duplicate', endedEnrollmentIds: [] });
    expect(await activitiesOf(db(), c.contactId, 'bounced')).toHaveLength(1);
  });

  it('a hard bounce keeps an unsubscribed contact unsubscribed (both still block)', async () => {
    const contactId = await seedContact(db(), { status: 'unsubscribed' });
    const { messageId } = await seedSentEmail(db(), seqA, contactId);
    await postMailEvents(ctx.app, { events: [{ type: 'bounce', bounceType: 'hard', messageId }] });
    expect((await contactRow(contactId)).status).toBe('unsubscribed');
    expect(await activitiesOf(db(), contactId, 'bounced')).toHaveLength(1);
  });

  it('soft bounce: recorded with SOFT_BOUNCE, nothing else changes', async () => {
    const c = await enrolledTwice('soft@example.com');
    const res = await postMailEvents(ctx.app, { events: [{ type: 'bounce', bounceType: 'soft', messageId: c.messageId }] });
    expect(res.json().results[0]).toMatchObject({ outcome: 'applied', reasonCode: 'SOFT_BOUNCE', endedEnrollmentIds: [] });
    expect((await contactRow(c.contactId)).status).toBe('active');
    expect(await suppressionOf('soft@example.com')).toBeUndefined();
    expect((await enrollmentRow(db(), c.enrollmentId)).status).toBe('active');
    expect(await activitiesOf(db(), c.contactId, 'bounced')).toEqual([expect.objectContaining({ reason_code: 'SOFT_BOUNCE' })]);
    // A later hard bounce of the same message is a different event and still applies.
    const hard = await postMailEvents(ctx.app, { events: [{ type: 'bounce', bounceType: 'hard', messageId: c.messageId }] });
    expect(hard.json().results[0].outcome).toBe('applied');
    expect((await contactRow(c.contactId)).status).toBe('bounced');
  });

  it('complaint: suppressed (complained), every live enrollment ended SUPPRESSED, status unchanged, once', async () => {
    const c = await enrolledTwice('complainer@example.com');
    const body = { events: [{ type: 'complaint', messageId: c.messageId }] };
    const res = await postMailEvents(ctx.app, body);
    expect(res.json().results[0]).toMatchObject({ outcome: 'applied', reasonCode: 'SUPPRESSED', endedEnrollmentIds: [c.enrollmentId, c.enrollmentB].sort() });
    expect(await suppressionOf('complainer@example.com')).toMatchObject({ reason: 'complained' });
    expect((await contactRow(c.contactId)).status).toBe('active');
    expect(await enrollmentRow(db(), c.enrollmentB)).toMatchObject({ status: 'ended', ended_reason: 'SUPPRESSED' });
    expect(await activitiesOf(db(), c.contactId, 'complained')).toEqual([expect.objectContaining({ reason_code: 'SUPPRESSED' })]);
    expect((await postMailEvents(ctx.app, body)).json().results[0].outcome).toBe('duplicate');
    expect(await activitiesOf(db(), c.contactId, 'complained')).toHaveLength(1);
  });

  it('reply: ends only that enrollment (REPLIED) when the sequence says so, once', async () => {
    const c = await enrolledTwice('replier@example.com');
    const body = { events: [{ type: 'reply', messageId: `<${c.messageId}>` }] };
    const res = await postMailEvents(ctx.app, body);
    expect(res.json().results).toEqual([{ messageId: `<${c.messageId}>`, type: 'reply', outcome: 'applied', reasonCode: 'REPLIED', endedEnrollmentIds: [c.enrollmentId] }]);
    expect(await enrollmentRow(db(), c.enrollmentId)).toMatchObject({ status: 'ended', ended_reason: 'REPLIED' });
    expect((await enrollmentRow(db(), c.enrollmentB)).status).toBe('waiting');
    expect((await contactRow(c.contactId)).status).toBe('active');
    expect(await activitiesOf(db(), c.contactId, 'replied')).toEqual([expect.objectContaining({ reason_code: 'REPLIED' })]);
    expect((await postMailEvents(ctx.app, body)).json().results[0].outcome).toBe('duplicate');
    expect(await activitiesOf(db(), c.contactId, 'replied')).toHaveLength(1);
  });

  it('reply: only recorded when the sequence continues on reply', async () => {
    const contactId = await seedContact(db());
    const enrollmentId = await seedEnrollment(db(), { contactId, sequenceId: keepGoing.sequenceId });
    const { messageId } = await seedSend(db(), { enrollmentId, stepId: keepGoing.stepIds[0]!, mailboxId: keepGoing.mailboxId });
    const res = await postMailEvents(ctx.app, { events: [{ type: 'reply', messageId }] });
    expect(res.json().results[0]).toMatchObject({ outcome: 'applied', reasonCode: 'REPLIED_SEQUENCE_CONTINUES', endedEnrollmentIds: [] });
    expect((await enrollmentRow(db(), enrollmentId)).status).toBe('active');
    expect(await activitiesOf(db(), contactId, 'replied')).toEqual([expect.objectContaining({ reason_code: 'REPLIED_SEQUENCE_CONTINUES' })]);
  });

  it('reports an unknown message id as ignored, in order, next to known ones', async () => {
    const contactId = await seedContact(db());
    const { messageId } = await seedSentEmail(db(), keepGoing, contactId);
    const res = await postMailEvents(ctx.app, { events: [{ type: 'complaint', messageId: 'never-sent@elsewhere' }, { type: 'bounce', bounceType: 'soft', messageId }] });
    expect(res.statusCode).toBe(200);
    expect(res.json().results.map((r: { outcome: string; reasonCode: string }) => [r.outcome, r.reasonCode])).toEqual([
      ['ignored', 'UNKNOWN_MESSAGE_ID'],
      ['applied', 'SOFT_BOUNCE'],
    ]);
  });
});
