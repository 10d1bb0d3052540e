import { loadConfig, type AppConfig } from '../../domain/config';
import { harnessEnv } from './harness-env';

/** 32 fixed bytes: tests can read what they stored. */
export const TEST_SECRETS_KEY = Buffer.alloc(32, 7).toString('base64');

/** The keyed-hash secret of erased addresses in tests (the send claim needs it to refuse erased subjects). */
export const TEST_ERASURE_HASH_SECRET = 'test-erasure-secret';

/** The service configuration as tests run it: harness servers, test secrets, quiet logs. */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    TEMPORAL_ADDRESS: harnessEnv('TEST_TEMPORAL_ADDRESS'),
    TRACKING_SECRET: 'test-tracking-secret-0123456789abcdef',
    MAIL_WEBHOOK_SECRET: 'test-mail-webhook-secret',
    ERASURE_HASH_SECRET: TEST_ERASURE_HASH_SECRET,
    SECRETS_KEY: TEST_SECRETS_KEY,
    PUBLIC_BASE_URL: 'http://crm.test',
    ...overrides,
  });
}
