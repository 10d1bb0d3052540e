import type { PostgresServer } from '../../scripts/postgres-server';
import type { TemporalDevServer } from '../../scripts/temporal-dev-server';

export const TEMPLATE_DB = 'crm_template';

export interface HarnessHandles {
  pg: PostgresServer;
  temporal: TemporalDevServer;
  dir: string;
}

export function harnessEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run tests through jest (global setup starts the servers).`);
  return value;
}
