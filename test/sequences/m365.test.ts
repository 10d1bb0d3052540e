import { simpleParser } from 'mailparser';
import { createMailboxTransports, type MailboxTransports } from '../../integrations/mail/mailbox-transports';
import { enrollmentContract } from '../../workflows/enrollment/contract';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph-emulator';
import { createWorld, enrollOne, getEnrollment, type World } from './world';
import { seedContact } from '../harness/seed';
import { call } from '../harness/api';

const creds = { tenantId: 'tenant-1', clientId: 'client-1', clientSecret: 'secret-1' };
let emu: GraphEmulator;
let transports: MailboxTransports;
let world: World;
beforeAll(async () => {
  emu = await startGraphEmulator(creds);
  transports = createMailboxTransports({ graphAuthorityUrl: emu.url, graphUrl: emu.url });
  world = await createWorld({ name: 'm365', timeSkipping: true, deps: { mailTransportFor: (m) => transports.forMailbox(m) } });
});
afterAll(async () => {
  await world.close();
  transports.closeAll();
  await emu.close();
});

const m365Mailbox = (overrides: Record<string, unknown> = {}) => ({ provider: 'm365', address: 'rep@contoso.test', displayName: 'Rep', connected: true, syncEnabled: true, m365: creds, ...overrides });
const resultOf = (id: string) => world.client.workflow.getHandle(enrollmentContract.id(id)).result();

describe('Microsoft 365 mailbox (Graph sendMail, emulated)', () => {
  it('sends every step through Graph with the one-click headers, reusing one cached token', async () => {
    const mailboxId = (await call(world.app, world.keys.admin, 'POST', '/v1/mailboxes', m365Mailbox(), 201)).json().id;
    const seq = await world.sequence({
      name: 'M365', mailboxId, sendWindow: null,
      steps: [{ subject: 'Hi {{contact.firstName}}', html: '<p>Hello</p>', delay: 'PT0S' }, { subject: 'Again', text: 'Hello again', delay: 'PT1H' }],
    });
    const a = await enrollOne(world, seq.id, await seedContact(world.tdb.db, { firstName: 'Ann' }));
    const b = await enrollOne(world, seq.id, await seedContact(world.tdb.db, { firstName: 'Bob' }));
    expect(await resultOf(a)).toEqual({ status: 'completed' });
    expect(await resultOf(b)).toEqual({ status: 'completed' });

    expect(emu.messages).toHaveLength(4);
    expect(emu.messages.every((m) => m.mailbox === 'rep@contoso.test')).toBe(true);
    expect(emu.tokenRequests).toBe(1);
    const parsed = await Promise.all(emu.messages.map((m) => simpleParser(m.raw)));
    expect(parsed.map((p) => p.subject).sort()).toEqual(['Again', 'Again', 'Hi Ann', 'Hi Bob']);
    for (const p of parsed) {
      expect(p.headers.get('list')).toEqual({ unsubscribe: { url: expect.stringMatching(/^http:\/\/crm\.test\/u\//) }, 'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' } });
    }
    const sent = await world.tdb.db.selectFrom('email_sends').select(['message_id', 'status']).where('enrollment_id', 'in', [a, b]).execute();
    expect(sent.every((s) => s.status === 'sent')).toBe(true);
    expect(parsed.map((p) => p.messageId).sort()).toEqual(sent.map((s) => s.message_id).sort());
  });

  it('a Graph 503 defers the send (MAILBOX_UNAVAILABLE) and a later attempt delivers it once', async () => {
    const mailboxId = (await call(world.app, world.keys.admin, 'POST', '/v1/mailboxes', m365Mailbox({ address: 'busy@contoso.test' }), 201)).json().id;
    const seq = await world.sequence({ name: 'Busy', mailboxId, sendWindow: null, steps: [{ subject: 'One', text: '1', delay: 'PT0S' }] });
    const contactId = await seedContact(world.tdb.db);
    emu.failNext(503, 1);
    const id = await enrollOne(world, seq.id, contactId);
    expect(await resultOf(id)).toEqual({ status: 'completed' });
    expect(emu.messages.filter((m) => m.mailbox === 'busy@contoso.test')).toHaveLength(1);
    const deferred = await world.tdb.db.selectFrom('activities').select(['reason_code', 'data']).where('contact_id', '=', contactId).where('type', '=', 'email_deferred').execute();
    expect(deferred).toEqual([{ reason_code: 'MAILBOX_UNAVAILABLE', data: expect.objectContaining({ transportCode: 'MailTransportError:ErrorInternalServerTransientError:503' }) }]);
  });

  it('a rejected client secret blocks the step with MAILBOX_SEND_FAILED and ends the enrollment', async () => {
    const mailboxId = (await call(world.app, world.keys.admin, 'POST', '/v1/mailboxes', m365Mailbox({ address: 'wrong@contoso.test', m365: { ...creds, clientSecret: 'wrong' } }), 201)).json().id;
    const seq = await world.sequence({ name: 'Wrong secret', mailboxId, sendWindow: null, steps: [{ subject: 'One', text: '1', delay: 'PT0S' }, { subject: 'Two', text: '2', delay: 'PT1H' }] });
    const id = await enrollOne(world, seq.id, await seedContact(world.tdb.db));
    expect(await resultOf(id)).toEqual({ status: 'ended', endedReason: 'MAILBOX_SEND_FAILED' });
    expect(emu.messages.filter((m) => m.mailbox === 'wrong@contoso.test')).toHaveLength(0);
    const view = await getEnrollment(world, id);
    expect(view.steps.map((s: { status: string; reasons: string[] }) => [s.status, s.reasons])).toEqual([['skipped', ['MAILBOX_SEND_FAILED']], ['skipped', ['MAILBOX_SEND_FAILED']]]);
  });
});
