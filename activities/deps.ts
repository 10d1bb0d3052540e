import type { Db } from '../db/database';
import type { AppConfig } from '../domain/config';

/** What activities need from the outside world, injected by the worker (and by tests). */
export interface ActivityDeps {
  db: Db;
  config: AppConfig;
}
