import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticateApiKey } from '../../db/api-keys';
import type { Db } from '../../db/database';
import { roleHasPermission, type Permission } from '../../domain/permissions';
import { ApiError } from '../errors';

/**
 * Bearer API-key auth and per-route permissions. Every route must declare either
 * `config.permission` or `config.public`; registering one with neither fails at startup.
 */
export interface RoutePermission {
  method: string;
  url: string;
  permission: Permission;
}

export function registerAuth(app: FastifyInstance, db: Db): RoutePermission[] {
  const catalogue: RoutePermission[] = [];
  app.addHook('onRoute', (route) => {
    const config = route.config ?? {};
    const isFrameworkRoute = route.url.startsWith('/docs');
    if (!config.public && !config.permission && !isFrameworkRoute) {
      throw new Error(`Route ${route.method} ${route.url} declares neither a permission nor public: true`);
    }
    if (config.permission) {
      for (const method of [route.method].flat()) if (method !== 'HEAD') catalogue.push({ method, url: route.url, permission: config.permission });
    }
  });

  app.addHook('onRequest', async (request: FastifyRequest) => {
    const config = request.routeOptions.config;
    if (config.public || !config.permission) return;
    const header = request.headers.authorization;
    const key = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    if (!key) throw new ApiError(401, 'UNAUTHENTICATED', 'Missing API key: send "Authorization: Bearer <api key>".');
    const principal = await authenticateApiKey(db, key);
    if (!principal) throw new ApiError(401, 'UNAUTHENTICATED', 'The API key is invalid or revoked.');
    request.principal = principal;
    if (!roleHasPermission(principal.role, config.permission)) {
      throw new ApiError(403, 'FORBIDDEN', `Role "${principal.role}" lacks the permission "${config.permission}" this route needs.`);
    }
  });
  return catalogue;
}
