import type { Client } from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import type { Principal } from '../db/api-keys';
import type { Db } from '../db/database';
import type { Clock } from '../domain/clock';
import type { AppConfig } from '../domain/config';
import type { Permission } from '../domain/permissions';
import type { AccessControl } from './plugins/auth';
import type { ApiMetrics } from '../services/metrics/api-metrics';

export interface ApiDeps {
  db: Db;
  temporal: Client;
  config: AppConfig;
  /** The time rate limits and audit pruning use; default the system clock. */
  clock?: Clock;
  /** Request, rate-limit and auth-failure metrics (GET /metrics); default: a fresh registry per app. */
  metrics?: ApiMetrics;
  /** For tests: a pino instance or false. */
  logger?: FastifyBaseLogger | boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every authenticated route with the permission it needs (docs and the permission tests). */
    permissionCatalogue: AccessControl['catalogue'];
    /** Authentication failures of routes that check their own keys (webhooks) go through here too. */
    access: AccessControl;
  }
  interface FastifyRequest {
    principal?: Principal;
    /** The x-request-id the client sent (kept for correlation; `request.id` is always generated here). */
    clientRequestId?: string;
  }
  interface FastifyContextConfig {
    /** The one permission this route needs; see domain/permissions.ts. */
    permission?: Permission;
    /** Reachable without an API key (health, docs, tracking, public unsubscribe, signed webhooks). */
    public?: boolean;
    /** A public route outside the per-address limit (health checks, the tracking pixel). */
    unlimited?: boolean;
    /** Entity type recorded in the audit log for this route. */
    auditEntity?: string;
  }
}
