import type { Client } from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import type { Principal } from '../db/api-keys';
import type { Db } from '../db/database';
import type { AppConfig } from '../domain/config';
import type { Permission } from '../domain/permissions';
import type { RoutePermission } from './plugins/auth';

export interface ApiDeps {
  db: Db;
  temporal: Client;
  config: AppConfig;
  /** For tests: a pino instance or false. */
  logger?: FastifyBaseLogger | boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every authenticated route with the permission it needs (docs and the permission tests). */
    permissionCatalogue: RoutePermission[];
  }
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** The one permission this route needs; see domain/permissions.ts. */
    permission?: Permission;
    /** Reachable without an API key (health, docs, tracking, public unsubscribe, signed webhooks). */
    public?: boolean;
    /** Entity type recorded in the audit log for this route. */
    auditEntity?: string;
  }
}
