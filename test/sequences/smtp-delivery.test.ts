import { simpleParser, type ParsedMail } from 'mailparser';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { enrollmentContract } from '../../workflows/enrollment/contract';
import { createTrackingTokens } from '../../domain/links/tracking-tokens';
import { createWorld, enrollOne, getEnrollment, type World } from './world';
import { seedContact } from '../harness/seed';
import { eventually } from '../harness/eventually';
import { call } from '../harness/api';

let world: World;
beforeAll(async () => {
  world = await createWorld({ name: 'smtp' });
});
afterAll(() => world.close());

// mailparser folds List-* headers into one structured `list` header; headerLines keeps the raw lines.
const headerLines = (parsed: ParsedMail) => Object.fromEntries(parsed.headerLines.map((h) => [h.key, h.line.replace(/\r?\n[ \t]+/g, ' ').replace(/^([^:]+):\s+/, '$1: ')]));

describe('enrollment → SMTP sink', () => {
  it('sends both steps once each, with one-click unsubscribe headers and links, and completes', async () => {
    const mailboxId = await world.mailbox();
    const seq = await world.sequence({
      name: 'Welcome',
      mailboxId,
      sendWindow: null,
      steps: [
        { subject: 'Hello {{contact.firstName | "there"}}', html: '<p>Hi {{contact.firstName}} &amp; co, see <a href="https://example.test/pricing?a=1&amp;b=2">pricing</a>.</p>', text: 'Hi {{contact.firstName}}', delay: 'PT0S' },
        { subject: 'Following up', text: 'Plain text only, from {{sender.name}}', delay: 'PT1S' },
      ],
    });
    const contactId = await seedContact(world.tdb.db, { email: 'Ada@Example.test', firstName: '<Ada>' });
    const enrollmentId = await enrollOne(world, seq.id, contactId);

    const result = await world.client.workflow.getHandle(enrollmentContract.id(enrollmentId)).result();
    expect(result).toEqual({ status: 'completed' });

    const files = await world.emails();
    expect(files).toHaveLength(2);
    expect(files.some((f) => f.includes('.dup-'))).toBe(false);
    const sends = await world.tdb.db.selectFrom('email_sends').selectAll().where('enrollment_id', '=', enrollmentId).orderBy('claimed_at').execute();
    expect(sends.map((s) => s.status)).toEqual(['sent', 'sent']);
    expect(files).toEqual(sends.map((s) => `${s.message_id.slice(1, -1)}.eml`).sort());

    const first = await simpleParser(await fs.readFile(path.join(world.mailDir, `${sends[0]!.message_id.slice(1, -1)}.eml`)));
    const lines = headerLines(first);
    expect(lines['list-unsubscribe']).toMatch(/^List-Unsubscribe: <http:\/\/crm\.test\/u\/[\w-]+\.[\w-]+>$/);
    expect(lines['list-unsubscribe-post']).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(first.subject).toBe('Hello <Ada>');
    expect(first.to).toMatchObject({ value: [{ address: 'Ada@example.test' }] }); // nodemailer lowercases the domain
    expect(first.from).toMatchObject({ value: [{ address: 'sales@crm.test', name: 'Sales Team' }] });
    // Personalisation is HTML-escaped; the link is rewritten, the original kept for the redirect only.
    expect(first.html).toContain('Hi &lt;Ada&gt; &amp; co');
    expect(first.html).not.toContain('https://example.test/pricing');
    expect(first.html).toMatch(/href="http:\/\/crm\.test\/t\/c\/[\w-]+\.[\w-]+"/);
    expect(first.html).toMatch(/<img src="http:\/\/crm\.test\/t\/o\/[\w-]+\.[\w-]+\.gif"/);
    const unsubscribeUrl = lines['list-unsubscribe']!.slice('List-Unsubscribe: <'.length, -1);
    expect(first.html).toContain(`href="${unsubscribeUrl}"`);
    expect(first.text).toContain(`Unsubscribe: ${unsubscribeUrl}`);
    expect(sends[0]!.links).toEqual(['https://example.test/pricing?a=1&b=2']);
    expect(sends[0]!.has_html).toBe(true);
    // The token names the send, nothing else.
    const token = unsubscribeUrl.split('/u/')[1]!;
    expect(createTrackingTokens(world.config.TRACKING_SECRET!).verify(token)).toEqual({ k: 'u', s: sends[0]!.id });

    const second = await simpleParser(await fs.readFile(path.join(world.mailDir, `${sends[1]!.message_id.slice(1, -1)}.eml`)));
    expect(second.html).toBe(false);
    expect(second.text).toContain('Plain text only, from Sales Team');
    expect(second.text).toContain('Unsubscribe: http://crm.test/u/');
    expect(headerLines(second)['list-unsubscribe-post']).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');

    const view = await getEnrollment(world, enrollmentId);
    expect(view).toMatchObject({ id: enrollmentId, contactId, sequenceId: seq.id, status: 'completed', waitingFor: [], currentStepId: seq.steps[1]!.id });
    expect(view.nextSendAt).toBeUndefined();
    expect(view.steps).toEqual([
      { id: seq.steps[0]!.id, status: 'sent', sentAt: sends[0]!.sent_at!.toISOString(), reasons: [] },
      { id: seq.steps[1]!.id, status: 'sent', sentAt: sends[1]!.sent_at!.toISOString(), reasons: ['OPEN_TRACKING_UNAVAILABLE_PLAIN_TEXT'] },
    ]);
    // The second step waited its delay after the first send.
    expect(sends[1]!.sent_at!.getTime() - sends[0]!.sent_at!.getTime()).toBeGreaterThanOrEqual(1000);

    const activities = await world.tdb.db.selectFrom('activities').select(['type', 'reason_code']).where('contact_id', '=', contactId).orderBy('id').execute();
    expect(activities).toEqual([
      { type: 'enrolled', reason_code: null },
      { type: 'email_sent', reason_code: null },
      { type: 'email_sent', reason_code: 'OPEN_TRACKING_UNAVAILABLE_PLAIN_TEXT' },
      { type: 'completed', reason_code: null },
    ]);

    const listed = await call(world.app, world.keys.rep, 'GET', `/v1/contacts/${contactId}/enrollments`, undefined, 200);
    expect(listed.json().items).toEqual([view]);
  });

  it('runs a 5-step sequence in under 200 history events, with search attributes and no personal data', async () => {
    const mailboxId = await world.mailbox();
    const steps = Array.from({ length: 5 }, (_, i) => ({ subject: `Step ${i + 1} for {{contact.firstName}}`, text: 't', delay: i === 0 ? 'PT0S' : 'PT0.2S' }));
    const seq = await world.sequence({ name: 'SA', mailboxId, sendWindow: null, steps });
    const contactId = await seedContact(world.tdb.db, { email: 'grace@example.test', firstName: 'Grace' });
    const enrollmentId = await enrollOne(world, seq.id, contactId);
    const handle = world.client.workflow.getHandle(enrollmentContract.id(enrollmentId));
    await handle.result();
    const description = await handle.describe();
    const attrs = description.typedSearchAttributes;
    const byName = Object.fromEntries(attrs.getAll().map((p) => [p.key.name, p.value]));
    expect(byName).toMatchObject({ ContactId: contactId, SequenceId: seq.id, EnrollmentId: enrollmentId });
    const history = await handle.fetchHistory();
    expect(history.events!.length).toBeLessThan(200);
    expect(JSON.stringify(history)).not.toMatch(/grace|Grace|Step \d/);
    expect(await world.tdb.db.selectFrom('email_sends').select('id').where('enrollment_id', '=', enrollmentId).where('status', '=', 'sent').execute()).toHaveLength(5);
    await eventually(async () => ((await getEnrollment(world, enrollmentId)).status === 'completed' ? true : undefined), 'completed');
  });
});
