import { createApiContext, type ApiContext } from '../harness/api-context';
import { smtpMailbox } from './helpers';
import { call } from '../harness/api';

let ctx: ApiContext;
let mailboxId: string;
beforeAll(async () => {
  ctx = await createApiContext();
  mailboxId = (await call(ctx.app, ctx.keys.admin, 'POST', '/v1/mailboxes', smtpMailbox(2525), 201)).json().id;
});
afterAll(() => ctx.close());

const step = (overrides: Record<string, unknown> = {}) => ({ subject: 'Hi {{contact.firstName | "there"}}', text: 'Hello from {{sender.name}}', delay: 'PT0S', ...overrides });
const paths = (res: { json(): { error: { details: { path: string }[] } } }) => res.json().error.details.map((d) => d.path).sort();

describe('sequences API', () => {
  it('creates a draft with the default send window, stable step ids and parsed delays', async () => {
    const stepId = '11111111-1111-4111-8111-111111111111';
    const res = await call(ctx.app, ctx.keys.admin, 'POST', '/v1/sequences', {
      name: 'Onboarding',
      mailboxId,
      steps: [step({ id: stepId }), step({ delay: 'P2DT3H', html: '<p>Hi {{ contact.firstName }}</p>', text: null })],
    }, 201);
    const seq = res.json();
    expect(seq).toMatchObject({ name: 'Onboarding', mailboxId, status: 'draft', timeZone: 'UTC', unenrollOnReply: true, sendWindow: { days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00' } });
    expect(seq.steps).toHaveLength(2);
    expect(seq.steps[0]).toMatchObject({ id: stepId, position: 0, delay: 'PT0S', delayMs: 0 });
    expect(seq.steps[1]).toMatchObject({ position: 1, delay: 'P2DT3H', delayMs: (2 * 24 + 3) * 3_600_000, html: '<p>Hi {{ contact.firstName }}</p>', text: null });
    const read = await call(ctx.app, ctx.keys.rep, 'GET', `/v1/sequences/${seq.id}`, undefined, 200);
    expect(read.json()).toEqual(seq);
  });

  it('stores sendWindow null as "any time" and a custom window and time zone as given', async () => {
    const any = (await call(ctx.app, ctx.keys.admin, 'POST', '/v1/sequences', { name: 'Any', mailboxId, steps: [step()], sendWindow: null }, 201)).json();
    expect(any.sendWindow).toBeNull();
    const custom = (await call(ctx.app, ctx.keys.admin, 'POST', '/v1/sequences', {
      name: 'Custom', mailboxId, steps: [step()], timeZone: 'Europe/Berlin', unenrollOnReply: false,
      sendWindow: { days: [6, 7], start: '10:00', end: '12:30', holidays: ['2030-12-25'] },
    }, 201)).json();
    expect(custom).toMatchObject({ timeZone: 'Europe/Berlin', unenrollOnReply: false, sendWindow: { days: [6, 7], start: '10:00', end: '12:30', holidays: ['2030-12-25'] } });
  });

  it('rejects unknown tokens, bad delays, empty bodies and bad windows, naming each field', async () => {
    const res = await call(ctx.app, ctx.keys.admin, 'POST', '/v1/sequences', {
      name: 'Broken',
      mailboxId,
      steps: [
        step({ subject: 'Hi {{contact.fristName}}' }),
        step({ delay: 'P1M' }),
        step({ html: '<p>{{ company.nam }}</p>' }),
        { subject: 'No body', delay: 'PT1H' },
      ],
      sendWindow: { days: [0], start: '18:00', end: '08:00' },
    }, 400);
    expect(paths(res)).toEqual(['body.sendWindow.days.0', 'body.sendWindow.end', 'body.steps.0.subject', 'body.steps.1.delay', 'body.steps.2.html', 'body.steps.3.text']);
    const problems = res.json().error.details.map((d: { problem: string }) => d.problem).join(' | ');
    expect(problems).toContain('unknown field "contact.fristName"');
    expect(problems).toContain('months and years are ambiguous');
    expect(await ctx.tdb.db.selectFrom('sequences').select('id').where('name', '=', 'Broken').execute()).toHaveLength(0);
  });

  it('rejects a missing mailbox and a step id of another sequence', async () => {
    const other = (await call(ctx.app, ctx.keys.admin, 'POST', '/v1/sequences', { name: 'Other', mailboxId, steps: [step()] }, 201)).json();
    const res = await call(ctx.app, ctx.keys.admin, 'POST', '/v1/sequences', {
      name: 'Thief', mailboxId: '00000000-0000-4000-8000-000000000000', steps: [step({ id: other.steps[0].id })],
    }, 400);
    expect(paths(res)).toEqual(['body.mailboxId', 'body.steps.0.id']);
  });

  it('edits keep step ids, mark a dropped step removed and add new ones', async () => {
    const seq = (await call(ctx.app, ctx.keys.admin, 'POST', '/v1/sequences', { name: 'Edit me', mailboxId, steps: [step(), step({ delay: 'P1D' }), step({ delay: 'P2D' })] }, 201)).json();
    const [a, b, c] = seq.steps as { id: string }[];
    const res = await call(ctx.app, ctx.keys.admin, 'PATCH', `/v1/sequences/${seq.id}`, {
      name: 'Edited',
      steps: [{ id: a!.id, subject: 'New subject', text: 'x', delay: 'PT0S' }, { id: c!.id, subject: 'C', text: 'c', delay: 'PT5H' }, { subject: 'D', text: 'd', delay: 'P3D' }],
      sendWindow: null,
    }, 200);
    const edited = res.json();
    expect(edited.name).toBe('Edited');
    expect(edited.sendWindow).toBeNull();
    expect(edited.steps.map((s: { id: string }) => s.id).slice(0, 2)).toEqual([a!.id, c!.id]);
    expect(edited.steps.map((s: { subject: string; position: number }) => [s.subject, s.position])).toEqual([['New subject', 0], ['C', 1], ['D', 2]]);
    const removed = await ctx.tdb.db.selectFrom('sequence_steps').select(['removed_at']).where('id', '=', b!.id).executeTakeFirstOrThrow();
    expect(removed.removed_at).toBeInstanceOf(Date);

    // Listing a removed id again restores it (same id, new content).
    const restored = (await call(ctx.app, ctx.keys.admin, 'PATCH', `/v1/sequences/${seq.id}`, { steps: [...edited.steps.map(({ id, subject, text, delay }: Record<string, string>) => ({ id, subject, text, delay })), { id: b!.id, subject: 'B again', text: 'b', delay: 'P1D' }] }, 200)).json();
    expect(restored.steps.map((s: { id: string }) => s.id)).toEqual([a!.id, c!.id, edited.steps[2].id, b!.id]);
  });

  it('moves through draft → active → paused → active → archived and refuses the rest with 409', async () => {
    const seq = (await call(ctx.app, ctx.keys.admin, 'POST', '/v1/sequences', { name: 'Lifecycle', mailboxId, steps: [step()] }, 201)).json();
    const bad = await call(ctx.app, ctx.keys.admin, 'POST', `/v1/sequences/${seq.id}/pause`, undefined, 409);
    expect(bad.json().error.code).toBe('INVALID_STATE_TRANSITION');
    expect((await call(ctx.app, ctx.keys.admin, 'POST', `/v1/sequences/${seq.id}/activate`, undefined, 200)).json().status).toBe('active');
    expect((await call(ctx.app, ctx.keys.admin, 'POST', `/v1/sequences/${seq.id}/activate`, undefined, 200)).json().status).toBe('active');
    expect((await call(ctx.app, ctx.keys.admin, 'POST', `/v1/sequences/${seq.id}/pause`, undefined, 200)).json().status).toBe('paused');
    expect((await call(ctx.app, ctx.keys.admin, 'POST', `/v1/sequences/${seq.id}/resume`, undefined, 200)).json().status).toBe('active');
    expect((await call(ctx.app, ctx.keys.admin, 'POST', `/v1/sequences/${seq.id}/archive`, undefined, 200)).json().status).toBe('archived');
    await call(ctx.app, ctx.keys.admin, 'POST', `/v1/sequences/${seq.id}/resume`, undefined, 409);
    const edit = await call(ctx.app, ctx.keys.admin, 'PATCH', `/v1/sequences/${seq.id}`, { name: 'Nope' }, 409);
    expect(edit.json().error.code).toBe('SEQUENCE_ARCHIVED');
  });

  it('lists with a status filter; reps read but cannot write', async () => {
    const list = (await call(ctx.app, ctx.keys.rep, 'GET', '/v1/sequences?status=archived', undefined, 200)).json();
    expect(list.items.length).toBeGreaterThan(0);
    expect(list.items.every((s: { status: string }) => s.status === 'archived')).toBe(true);
    await call(ctx.app, ctx.keys.rep, 'POST', '/v1/sequences', { name: 'Rep', mailboxId, steps: [step()] }, 403);
  });
});
