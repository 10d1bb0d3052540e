import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../types';
import { auditRoutes } from './audit';
import { companyRoutes } from './companies';
import { contactRoutes } from './contacts';
import { healthRoutes } from './health';
import { userRoutes } from './users';

export async function registerRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  healthRoutes(app, deps);
  companyRoutes(app, deps);
  contactRoutes(app, deps);
  userRoutes(app, deps);
  auditRoutes(app, deps);
  await Promise.resolve();
}
