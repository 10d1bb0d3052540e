import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../types';
import { auditRoutes } from './audit';
import { companyRoutes } from './companies';
import { contactRoutes } from './contacts';
import { diagnosticsRoutes } from './diagnostics';
import { healthRoutes } from './health';
import { enrollmentRoutes } from './enrollments';
import { mailboxRoutes } from './mailboxes';
import { sequenceRoutes } from './sequences';
import { mailEventRoutes } from './mail-events';
import { suppressionRoutes } from './suppressions';
import { trackingRoutes } from './tracking';
import { unsubscribeRoutes } from './unsubscribe';
import { userRoutes } from './users';
import { promotionRoutes } from './promotion';
import { psaContextRoutes } from './psa-context';
import { psaWebhookRoutes } from './psa-webhooks';

export async function registerRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  healthRoutes(app, deps);
  companyRoutes(app, deps);
  contactRoutes(app, deps);
  userRoutes(app, deps);
  auditRoutes(app, deps);
  mailboxRoutes(app, deps);
  sequenceRoutes(app, deps);
  enrollmentRoutes(app, deps);
  suppressionRoutes(app, deps);
  trackingRoutes(app, deps);
  diagnosticsRoutes(app, deps);
  await unsubscribeRoutes(app, deps);
  await mailEventRoutes(app, deps);
  promotionRoutes(app, deps);
  await psaWebhookRoutes(app, deps);
  await psaContextRoutes(app, deps);
  await Promise.resolve();
}
