import { createSecretBox } from '../../db/secret-box';
import { createApiContext, type ApiContext } from '../harness/api-context';
import { TEST_SECRETS_KEY } from '../harness/config';
import { smtpMailbox } from './helpers';
import { call } from '../harness/api';

let ctx: ApiContext;
beforeAll(async () => {
  ctx = await createApiContext();
});
afterAll(() => ctx.close());

describe('mailboxes API', () => {
  it('creates an SMTP mailbox with Exchange Online default limits and never returns the password', async () => {
    const res = await call(ctx.app, ctx.keys.admin, 'POST', '/v1/mailboxes', smtpMailbox(2525, { smtp: { host: 'smtp.example.test', port: 587, secure: false, user: 'u1', password: 'hunter2' } }), 201);
    const body = res.json();
    expect(body).toMatchObject({
      provider: 'smtp',
      address: 'sales@crm.test',
      displayName: 'Sales Team',
      connected: true,
      syncEnabled: true,
      dailyLimit: 10000,
      perMinuteLimit: 30,
      smtp: { host: 'smtp.example.test', port: 587, secure: false, user: 'u1' },
      hasSecret: true,
    });
    expect(res.body).not.toContain('hunter2');
    const stored = await ctx.tdb.db.selectFrom('mailboxes').select(['secret', 'settings']).where('id', '=', body.id).executeTakeFirstOrThrow();
    // Encrypted at rest: the row alone does not give the password away.
    expect(stored.secret).toMatch(/^enc:v1:/);
    expect(stored.secret).not.toContain('hunter2');
    expect(createSecretBox(TEST_SECRETS_KEY).open(stored.secret!)).toBe('hunter2');
    expect(JSON.stringify(stored.settings)).not.toContain('hunter2');

    const read = await call(ctx.app, ctx.keys.rep, 'GET', `/v1/mailboxes/${body.id}`, undefined, 200);
    expect(read.json()).toEqual(body);
    expect(read.body).not.toContain('hunter2');
  });

  it('creates an M365 mailbox; the client secret is write-only', async () => {
    const res = await call(ctx.app, ctx.keys.admin, 'POST', '/v1/mailboxes', {
      provider: 'm365', address: 'rep@contoso.test', connected: true, syncEnabled: true, dailyLimit: 500, perMinuteLimit: 5,
      m365: { tenantId: 't1', clientId: 'c1', clientSecret: 's3cr3t-value' },
    }, 201);
    expect(res.json()).toMatchObject({ provider: 'm365', m365: { tenantId: 't1', clientId: 'c1' }, hasSecret: true, dailyLimit: 500, perMinuteLimit: 5 });
    expect(res.json().smtp).toBeUndefined();
    expect(res.body).not.toContain('s3cr3t-value');
    const list = await call(ctx.app, ctx.keys.operator, 'GET', '/v1/mailboxes', undefined, 200);
    expect(list.body).not.toContain('s3cr3t-value');
    expect(list.json().items.map((m: { id: string }) => m.id)).toContain(res.json().id);
  });

  it('names the field: provider settings missing or of the wrong provider, bad address, bad limit', async () => {
    const missing = await call(ctx.app, ctx.keys.admin, 'POST', '/v1/mailboxes', { provider: 'smtp', address: 'a@b.test', connected: true, syncEnabled: true }, 400);
    expect(missing.json().error.details.map((d: { path: string }) => d.path)).toEqual(['body.smtp']);
    const wrong = await call(ctx.app, ctx.keys.admin, 'POST', '/v1/mailboxes', { ...smtpMailbox(25), m365: { tenantId: 't', clientId: 'c', clientSecret: 's' } }, 400);
    expect(wrong.json().error.details.map((d: { path: string }) => d.path)).toEqual(['body.m365']);
    const bad = await call(ctx.app, ctx.keys.admin, 'POST', '/v1/mailboxes', smtpMailbox(25, { address: 'nope', perMinuteLimit: 0 }), 400);
    expect(bad.json().error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.address', 'body.perMinuteLimit']);
  });

  it('connects, disconnects and toggles sync with PATCH; keeps the secret unless a new one is given', async () => {
    const created = (await call(ctx.app, ctx.keys.admin, 'POST', '/v1/mailboxes', smtpMailbox(25, { smtp: { host: 'h', port: 25, secure: false, password: 'p1' } }), 201)).json();
    const off = await call(ctx.app, ctx.keys.admin, 'PATCH', `/v1/mailboxes/${created.id}`, { connected: false, syncEnabled: false }, 200);
    expect(off.json()).toMatchObject({ connected: false, syncEnabled: false, hasSecret: true });
    await call(ctx.app, ctx.keys.admin, 'PATCH', `/v1/mailboxes/${created.id}`, { smtp: { host: 'h2', port: 2525, secure: true } }, 200);
    const stored = await ctx.tdb.db.selectFrom('mailboxes').select(['secret', 'settings']).where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ settings: { host: 'h2', port: 2525, secure: true, user: null } });
    expect(createSecretBox(TEST_SECRETS_KEY).open(stored.secret!)).toBe('p1');
    const cleared = await call(ctx.app, ctx.keys.admin, 'PATCH', `/v1/mailboxes/${created.id}`, { smtp: { host: 'h2', port: 2525, secure: true, password: null } }, 200);
    expect(cleared.json().hasSecret).toBe(false);
    const wrong = await call(ctx.app, ctx.keys.admin, 'PATCH', `/v1/mailboxes/${created.id}`, { m365: { tenantId: 't', clientId: 'c' } }, 400);
    expect(wrong.json().error.details).toEqual([expect.objectContaining({ path: 'body.m365' })]);
  });

  it('refuses to store a credential it cannot encrypt (no SECRETS_KEY): 503 naming the setting, nothing written', async () => {
    const keyless = await createApiContext({ SECRETS_KEY: '' });
    try {
      const res = await call(keyless.app, keyless.keys.admin, 'POST', '/v1/mailboxes', smtpMailbox(25, { smtp: { host: 'h', port: 25, secure: false, password: 'plain' } }), 503);
      expect(res.json().error).toMatchObject({ code: 'SECRETS_KEY_NOT_CONFIGURED', message: expect.stringContaining('SECRETS_KEY') });
      expect(await keyless.tdb.db.selectFrom('mailboxes').select('id').execute()).toEqual([]);
      // Mailboxes without credentials (e.g. a local relay) need no key.
      await call(keyless.app, keyless.keys.admin, 'POST', '/v1/mailboxes', smtpMailbox(25), 201);
    } finally {
      await keyless.close();
    }
  });

  it('lets only admins write mailboxes', async () => {
    await call(ctx.app, ctx.keys.rep, 'POST', '/v1/mailboxes', smtpMailbox(25), 403);
    const id = (await call(ctx.app, ctx.keys.admin, 'POST', '/v1/mailboxes', smtpMailbox(25), 201)).json().id;
    await call(ctx.app, ctx.keys.rep, 'PATCH', `/v1/mailboxes/${id}`, { connected: false }, 403);
    await call(ctx.app, ctx.keys.compliance, 'GET', `/v1/mailboxes/${id}`, undefined, 403);
    await call(ctx.app, ctx.keys.admin, 'GET', '/v1/mailboxes/00000000-0000-4000-8000-000000000000', undefined, 404);
  });
});
