import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { configSchema, loadConfig } from '../../domain/config';
import { keywordSearchAttributeNames } from '../../temporal/search-attribute-registration';
import { PRODUCTION_HISTORY_SHARDS, TEMPORAL_SERVER_VERSION, UI_SERVER_VERSION } from '../../scripts/cluster/versions';

/**
 * docker-compose.yml cannot be run here (no Docker), so it is read: its versions, services,
 * environment and search attributes must agree with what the code runs and reads.
 */
interface Service {
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
const compose = YAML.parse(readFileSync(path.resolve(__dirname, '../../docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const bare = (version: string) => version.replace(/^v/, '');
const tag = (name: string) => services[name]?.image?.split(':')[1];
const commandOf = (s: Service) => (Array.isArray(s.command) ? s.command.join(' ') : (s.command ?? ''));

/** `${NAME:?message}` and `${NAME:-default}` as compose would expand them with NAME set to `value`. */
const expand = (value: string, set: (name: string) => string) => value.replace(/\$\{([A-Z_]+)(?::[?-][^}]*)?\}/g, (_, name: string) => set(name));

describe('docker-compose.yml', () => {
  it('has the services of the production topology, two workers among them', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'migrate', 'postgres', 'temporal', 'temporal-search-attributes', 'temporal-ui', 'worker-1', 'worker-2']);
    const workers = Object.entries(services).filter(([, s]) => commandOf(s).includes('dist/worker/main.js'));
    expect(workers.map(([name]) => name)).toEqual(['worker-1', 'worker-2']);
    expect(commandOf(services.api!)).toContain('dist/api/main.js');
  });

  it('runs the Temporal server, tools and UI of the versions npm run cluster builds', () => {
    expect(tag('temporal')).toBe(bare(TEMPORAL_SERVER_VERSION));
    expect(tag('temporal-search-attributes')?.startsWith(`${bare(TEMPORAL_SERVER_VERSION)}-`)).toBe(true);
    expect(tag('temporal-ui')).toBe(bare(UI_SERVER_VERSION));
  });

  it('keeps Temporal on PostgreSQL with the production shard count, which can never change', () => {
    const env = services.temporal!.environment!;
    expect(env).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres', NUM_HISTORY_SHARDS: String(PRODUCTION_HISTORY_SHARDS) });
  });

  it('registers exactly our search attributes, as Keyword', () => {
    const command = commandOf(services['temporal-search-attributes']!);
    const names = /for name in ([^;]+);/.exec(command)?.[1]?.trim().split(/\s+/);
    expect(names?.sort()).toEqual(keywordSearchAttributeNames().sort());
    expect(command).toContain('--type Keyword');
  });

  it('gives the API and both workers only settings the config schema knows, complete for production', () => {
    const known = Object.keys(configSchema.shape);
    for (const name of ['api', 'migrate', 'worker-1', 'worker-2']) {
      const env = services[name]!.environment!;
      expect(Object.keys(env).filter((k) => !known.includes(k))).toEqual([]);
      // Every secret the file asks the operator for, set: the service's own schema accepts the result.
      const filled = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, expand(String(v), (n) => (n === 'SECRETS_KEY' ? Buffer.alloc(32, 1).toString('base64') : n === 'TEMPORAL_PAYLOAD_KEY' ? `k1:${Buffer.alloc(32, 2).toString('base64')}` : n === 'PUBLIC_BASE_URL' ? 'https://crm.example' : `set-${n}`))]));
      const config = loadConfig(filled);
      expect(config.NODE_ENV).toBe('production');
      expect(new URL(config.DATABASE_URL!).hostname).toBe('postgres');
      expect(config.TEMPORAL_ADDRESS?.split(':')[0]).toBe('temporal');
    }
  });

  it('has health checks, and starts our processes only once the database is migrated and the search attributes exist', () => {
    for (const name of ['postgres', 'temporal', 'api']) expect(services[name]!.healthcheck?.test.length).toBeGreaterThan(0);
    for (const name of ['api', 'worker-1', 'worker-2']) {
      expect(services[name]!.depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' }, 'temporal-search-attributes': { condition: 'service_completed_successfully' } });
    }
  });
});
