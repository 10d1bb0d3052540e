import { findSendById } from '../../db/email-sends';
import { recordOpen } from '../../db/tracking-events';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { signToken } from './fixtures';
import { seedContact, seedSequence, seedSentEmail, activitiesOf, type SeededSequence } from '../harness/seed';

let ctx: ApiContext;
let seq: SeededSequence;
beforeAll(async () => {
  ctx = await createApiContext();
  seq = await seedSequence(ctx.tdb.db);
});
afterAll(() => ctx.close());

const db = () => ctx.tdb.db;
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const LINKS = ['https://docs.example.com/guide?utm_source=crm&email=ada%40example.com#intro', 'https://example.org/pricing'];

describe('open pixel GET /t/o/<token>.gif', () => {
  it('serves a no-store GIF that webmail may embed, and records email_opened with ids only', async () => {
    const contactId = await seedContact(db());
    const { sendId, enrollmentId } = await seedSentEmail(db(), seq, contactId, { links: LINKS });
    const res = await ctx.app.inject({ method: 'GET', url: `/t/o/${signToken({ k: 'o', s: sendId })}.gif` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/gif');
    expect(res.rawPayload.equals(GIF)).toBe(true);
    expect(res.headers['cache-control']).toMatch(/no-store/);
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    const opens = await activitiesOf(db(), contactId, 'email_opened');
    expect(opens).toEqual([expect.objectContaining({ actor: 'tracking:pixel', reason_code: null })]);
    expect(opens[0]!.data).toEqual({ sendId, enrollmentId, sequenceId: seq.sequenceId, stepId: seq.stepIds[0] });
  });

  it('still serves the GIF for forged, foreign-kind, unknown and garbage tokens, recording nothing', async () => {
    const contactId = await seedContact(db());
    const { sendId } = await seedSentEmail(db(), seq, contactId);
    const good = signToken({ k: 'o', s: sendId });
    const urls = [`/t/o/${good.split('.')[0]}.${'B'.repeat(32)}.gif`, `/t/o/${signToken({ k: 'u', s: sendId })}.gif`, `/t/o/${signToken({ k: 'o', s: '00000000-0000-4000-8000-000000000000' })}.gif`, '/t/o/garbage.gif', '/t/o/x'];
    for (const url of urls) {
      const res = await ctx.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload.equals(GIF)).toBe(true);
    }
    expect(await activitiesOf(db(), contactId, 'email_opened')).toHaveLength(0);
  });

  it('folds reloads within one minute into one open, and counts a later one', async () => {
    const contactId = await seedContact(db());
    const { sendId } = await seedSentEmail(db(), seq, contactId);
    const send = (await findSendById(db(), sendId))!;
    const t0 = new Date('2025-05-05T10:00:05Z');
    expect(await recordOpen(db(), send, t0)).toBe(true);
    expect(await recordOpen(db(), send, new Date('2025-05-05T10:00:59Z'))).toBe(false);
    expect(await recordOpen(db(), send, new Date('2025-05-05T10:01:00Z'))).toBe(true);
    expect(await activitiesOf(db(), contactId, 'email_opened')).toHaveLength(2);
  });
});

describe('click redirect GET /t/c/<token>', () => {
  it('redirects to the stored URL of that email and records the link index with origin + path only', async () => {
    const contactId = await seedContact(db());
    const { sendId } = await seedSentEmail(db(), seq, contactId, { links: LINKS });
    const res = await ctx.app.inject({ method: 'GET', url: `/t/c/${signToken({ k: 'c', s: sendId, l: 0 })}` });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe(LINKS[0]);
    expect(res.headers['cache-control']).toMatch(/no-store/);
    const clicks = await activitiesOf(db(), contactId, 'email_clicked');
    expect(clicks).toHaveLength(1);
    expect(clicks[0]!.data).toMatchObject({ sendId, linkIndex: 0, url: 'https://docs.example.com/guide' });
    expect(JSON.stringify(clicks[0]!.data)).not.toMatch(/utm_source|ada%40example|#intro/);

    const second = await ctx.app.inject({ method: 'GET', url: `/t/c/${signToken({ k: 'c', s: sendId, l: 1 })}` });
    expect(second.headers.location).toBe(LINKS[1]);
  });

  it('answers 404 (never a redirect) for a bad index, a forged token, another kind of token or an unsafe stored URL', async () => {
    const contactId = await seedContact(db());
    const { sendId } = await seedSentEmail(db(), seq, contactId, { links: LINKS });
    const unsafe = await seedSentEmail(db(), seq, await seedContact(db()), { links: ['javascript:alert(1)'] });
    const good = signToken({ k: 'c', s: sendId, l: 0 });
    const urls = [
      `/t/c/${signToken({ k: 'c', s: sendId, l: 2 })}`,
      `/t/c/${signToken({ k: 'c', s: sendId, l: -1 })}`,
      `/t/c/${good.split('.')[0]}.${'C'.repeat(32)}`,
      `/t/c/${signToken({ k: 'o', s: sendId })}`,
      `/t/c/${signToken({ k: 'c', s: unsafe.sendId, l: 0 })}`,
      `/t/c/${signToken({ k: 'c', s: '00000000-0000-4000-8000-000000000000', l: 0 })}`,
      '/t/c/https%3A%2F%2Fevil.example',
    ];
    for (const url of urls) {
      const res = await ctx.app.inject({ method: 'GET', url });
      expect({ url, status: res.statusCode, location: res.headers.location }).toEqual({ url, status: 404, location: undefined });
    }
    const html = await ctx.app.inject({ method: 'GET', url: urls[0]!, headers: { accept: 'text/html' } });
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(await activitiesOf(db(), contactId, 'email_clicked')).toHaveLength(0);
  });
});
