/** Promotion end to end under time skipping: the PSA confirms after its 30 s event-mesh delay. */
import { temporal } from '@temporalio/proto';
import { bearer } from '../harness/api';
import { promotionContract } from '../../workflows/promotion/contract';
import { recordHistory, replayAgainstCurrentCode } from '../harness/histories';
import { CRM_KEY, createPromotionFixture, step, stepStates, type PromotionFixture } from './promotion-fixture';

/** A history as text with every payload decoded: what an operator can read in the Web UI. */
const History = temporal.api.history.v1.History;
const readable = (history: temporal.api.history.v1.IHistory) =>
  JSON.stringify(History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String }), (key, value: unknown) => (key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value));

let fx: PromotionFixture;
beforeAll(async () => {
  fx = await createPromotionFixture();
});
afterAll(() => fx.close());

describe('promotion happy path', () => {
  it('waits durably for the PSA (30 s delay), links the company and syncs contacts with an email', async () => {
    const { companyId, contactIds } = await fx.createCompany(['ann@acme.example', null]);
    const started = await fx.promote(companyId);
    expect(started.statusCode).toBe(202);
    expect(started.json()).toMatchObject({ companyId, workflowId: `promotion-${companyId}`, attempt: 1, status: 'running', contacts: { synced: 0, skipped: [] } });

    const waiting = await fx.waitFor(companyId, 'waiting_for_psa', (s) => s.status === 'waiting_for_psa');
    expect(stepStates(waiting)).toEqual({ preflight: 'completed', mark_customer: 'completed', notify_psa: 'completed', wait_for_confirmation: 'running', link: 'pending', sync_contacts: 'pending' });
    const psaClientId = waiting.psaClientId!;
    await expect(fx.handle(companyId).query(promotionContract.queries.progress)).resolves.toEqual({ attempt: 1, step: 'wait_for_confirmation', waitingForPsa: true, psaClientId });
    expect(fx.psa.state.clients.get(psaClientId)).toMatchObject({ crmCompanyId: companyId, status: 'pending' });
    // Already a customer while the PSA processes the client; the link is still pending.
    const company = (await fx.app.inject({ method: 'GET', url: `/v1/companies/${companyId}`, headers: bearer(fx.keys.rep) })).json();
    expect(company).toMatchObject({ status: 'customer', psaClientId: null });

    // The event mesh takes 30 s: the workflow polls meanwhile (every 10 s) and sees the client still pending.
    // (31 s, not 30: the time-skipping server can stall when a signal meets a timer due exactly at the end of a sleep.)
    const requestsBefore = fx.psa.state.requests;
    await fx.env.sleep(31_000);
    expect(fx.psa.state.requests).toBeGreaterThan(requestsBefore);
    expect((await fx.status(companyId)).status).toBe('waiting_for_psa');

    await expect(fx.psa.deliverDueWebhooks(Date.now() + 31_000)).resolves.toBe(1);
    const done = await fx.waitFor(companyId, 'completed', (s) => s.status === 'completed');
    await expect(fx.handle(companyId).result()).resolves.toEqual({ status: 'completed', psaClientId, contactsSynced: 1, contactsSkipped: 1 });

    expect(done).toMatchObject({ status: 'completed', psaClientId, contacts: { synced: 1, skipped: [{ contactId: contactIds[1], code: 'CONTACT_NO_EMAIL' }] } });
    expect(done.code).toBeUndefined();
    expect(done.failedStep).toBeUndefined();
    expect(done.steps.every((s) => s.status === 'completed' && s.startedAt !== null && s.endedAt !== null)).toBe(true);
    expect(step(done, 'wait_for_confirmation')?.detail).toMatch(/webhook/);
    const linked = (await fx.app.inject({ method: 'GET', url: `/v1/companies/${companyId}`, headers: bearer(fx.keys.rep) })).json();
    expect(linked).toMatchObject({ status: 'customer', psaClientId });
    expect([...fx.psa.state.contacts.values()].filter((c) => c.clientId === psaClientId)).toEqual([
      expect.objectContaining({ crmContactId: contactIds[0], email: 'ann@acme.example', firstName: 'Person0' }),
    ]);

    // The PSA sidebar can now read the CRM side of its client.
    const context = await fx.app.inject({ method: 'GET', url: `/v1/psa/clients/${psaClientId}/context`, headers: bearer(CRM_KEY) });
    expect(context.statusCode).toBe(200);
    expect(context.json()).toMatchObject({ company: { id: companyId, status: 'customer', psaClientId }, contacts: [{ id: contactIds[0] }, { id: contactIds[1] }] });
    expect(context.json().recentActivity[0]).toMatchObject({ type: 'promotion_completed' });

    const log = (await fx.app.inject({ method: 'GET', url: `/v1/companies/${companyId}/activities?limit=100`, headers: bearer(fx.keys.rep) })).json();
    const types = log.items.map((a: { type: string }) => a.type);
    for (const type of ['promotion_requested', 'company_status_changed', 'psa_client_requested', 'psa_webhook_received', 'psa_client_confirmed', 'company_linked_to_psa', 'psa_contact_synced', 'psa_contact_sync_skipped', 'promotion_completed']) {
      expect(types).toContain(type);
    }
    const skippedLog = (await fx.app.inject({ method: 'GET', url: `/v1/contacts/${contactIds[1]}/activities`, headers: bearer(fx.keys.rep) })).json();
    expect(skippedLog.items).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'psa_contact_sync_skipped', reasonCode: 'CONTACT_NO_EMAIL' })]));

    const description = await fx.handle(companyId).describe();
    expect(description.typedSearchAttributes.get({ name: 'CompanyId', type: 'KEYWORD' } as never)).toBe(companyId);

    // Workflow payloads carry ids only: no names, no emails anywhere in the history.
    const history = readable(await fx.handle(companyId).fetchHistory());
    expect(history).toContain(companyId);
    expect(history).toContain(psaClientId);
    for (const personal of ['ann@acme.example', 'Acme Holdings', 'Person0', 'Example']) expect(history).not.toContain(personal);
    await recordHistory('promotion-happy', fx.handle(companyId));
  });

  it('skips each contact without an email with CONTACT_NO_EMAIL, listed in the status and the activity log', async () => {
    const { companyId, contactIds } = await fx.createCompany(['a1@acme.example', null, 'a2@acme.example', null, 'a3@acme.example']);
    // An address that predates the API's validation (an old import): the PSA refuses it, the others still sync.
    const legacy = await fx.tdb.db.insertInto('contacts').values({ company_id: companyId, email: 'not-an-address', email_normalized: 'not-an-address', external_ids: '{}' }).returning('id').executeTakeFirstOrThrow();
    expect((await fx.promote(companyId)).statusCode).toBe(202);
    await fx.waitFor(companyId, 'waiting_for_psa', (s) => s.status === 'waiting_for_psa');
    await expect(fx.psa.deliverAllWebhooks()).resolves.toBe(1);
    const done = await fx.waitFor(companyId, 'completed', (s) => s.status === 'completed');

    expect(done.contacts).toEqual({
      synced: 3,
      skipped: [
        { contactId: contactIds[1], code: 'CONTACT_NO_EMAIL' },
        { contactId: contactIds[3], code: 'CONTACT_NO_EMAIL' },
        { contactId: legacy.id, code: 'INVALID_EMAIL' },
      ],
    });
    expect(step(done, 'sync_contacts')).toMatchObject({ status: 'completed', detail: '3 contacts synced, 3 skipped.' });
    const synced = [...fx.psa.state.contacts.values()].filter((c) => c.clientId === done.psaClientId).map((c) => c.crmContactId);
    expect(synced.sort()).toEqual([contactIds[0], contactIds[2], contactIds[4]].sort());
    for (const contactId of [contactIds[1], contactIds[3]]) {
      const log = (await fx.app.inject({ method: 'GET', url: `/v1/contacts/${contactId}/activities`, headers: bearer(fx.keys.rep) })).json();
      expect(log.items).toEqual([expect.objectContaining({ type: 'psa_contact_sync_skipped', reasonCode: 'CONTACT_NO_EMAIL', companyId }), expect.objectContaining({ type: 'contact_created' })]);
    }
  });

  it('replays the recorded happy-path history with the current workflow code (determinism)', async () => {
    await expect(replayAgainstCurrentCode('promotion-happy')).resolves.toBeUndefined();
  });
});
