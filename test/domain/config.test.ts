import { BENCH_SECRETS } from '../../bench/infra';
import { ConfigError, loadConfig } from '../../domain/config';

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3000, PGPORT: 55432, TEMPORAL_PORT: 7233, TEMPORAL_UI_PORT: 8233, TEMPORAL_TASK_QUEUE: 'crm', PSA_CONFIRMATION_TIMEOUT: 'PT5M' });
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it('names the variable and the problem for a bad value', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => loadConfig({ SECRETS_KEY: Buffer.alloc(16).toString('base64') })).toThrow(/SECRETS_KEY: must be the base64 encoding of 32 bytes/);
  });

  it('parses RECONCILE_EVERY to milliseconds, `off` to null, and rejects nonsense or too short an interval by name', () => {
    expect(loadConfig({}).RECONCILE_EVERY).toBe(60_000);
    expect(loadConfig({ RECONCILE_EVERY: 'PT5M' }).RECONCILE_EVERY).toBe(300_000);
    expect(loadConfig({ RECONCILE_EVERY: 'off' }).RECONCILE_EVERY).toBeNull();
    expect(() => loadConfig({ RECONCILE_EVERY: 'hourly' })).toThrow(/RECONCILE_EVERY: .*or "off"/);
    expect(() => loadConfig({ RECONCILE_EVERY: 'PT1S' })).toThrow(/RECONCILE_EVERY: "PT1S" is shorter than 10 seconds/);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('requires secrets and external services in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/TRACKING_SECRET: is required when NODE_ENV=production/);
    const ok = loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://x/y', TEMPORAL_ADDRESS: 't:7233', TRACKING_SECRET: 's', MAIL_WEBHOOK_SECRET: 'm', PUBLIC_BASE_URL: 'https://crm.example.com', SECRETS_KEY: Buffer.alloc(32, 1).toString('base64'), ERASURE_HASH_SECRET: 'e', TEMPORAL_PAYLOAD_KEY: `k1:${Buffer.alloc(32, 2).toString('base64')}` });
    expect(ok.NODE_ENV).toBe('production');
    // `npm run bench` runs the worker in production mode: its settings must stay complete.
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://x/y', TEMPORAL_ADDRESS: 't:7233', PUBLIC_BASE_URL: 'http://bench.local', ...BENCH_SECRETS })).not.toThrow();
  });
});
