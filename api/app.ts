import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { errorHandler, frameworkErrorHandler, notFoundHandler } from './errors';
import { registerJsonBodyParser } from './json-body';
import { LOG_REDACT, requestLogSerializers } from './logging';
import { registerAudit } from './plugins/audit';
import { registerAuth } from './plugins/auth';
import { registerMetrics } from './metrics';
import { createApiMetrics } from '../services/metrics/api-metrics';
import { serializerCompiler, transform, transformObject } from './openapi';
import { completeRouteSchema } from './openapi-defaults';
import { registerRoutes } from './routes';
import type { ApiDeps } from './types';
import { validatorCompiler } from './validation';
import { clientErrorHandler } from './client-errors';

/** A client's own request id is kept for correlation if it looks like one; ours is always generated. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const loggerOpts = typeof deps.logger === 'object' ? { loggerInstance: deps.logger } : { logger: deps.logger === false ? false : { level: deps.config.LOG_LEVEL, redact: LOG_REDACT, serializers: requestLogSerializers } };
  const app = Fastify({
    ...loggerOpts,
    bodyLimit: deps.config.BODY_LIMIT_BYTES,
    // Server-side, always unique: two audit rows never share an id (the client's is kept as clientRequestId).
    genReqId: () => randomUUID(),
    // Malformed URLs and the like get the one error shape too.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    // URLs are logged, never bodies: bodies may carry personal data.
    disableRequestLogging: false,
    trustProxy: false,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  app.addHook('onRequest', async (request) => {
    const given = request.headers['x-request-id'];
    if (typeof given === 'string' && CLIENT_REQUEST_ID.test(given)) request.clientRequestId = given;
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // Every route documents (and serializes) the platform's own error responses and its security.
  app.addHook('onRoute', completeRouteSchema);
  // JSON only (routes that take forms or CSV register their own parsers): text/plain is a 415, not a 400.
  app.removeContentTypeParser('text/plain');
  registerJsonBodyParser(app);
  await app.register(helmet, {
    // Swagger UI needs inline scripts and styles on /docs.
    contentSecurityPolicy: { directives: { 'script-src': ["'self'", "'unsafe-inline'"], 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] } },
  });
  await app.register(swagger, {
    openapi: {
      // 3.1: JSON Schema 2020-12, so zod's nullable fields (type: null) are valid as generated.
      openapi: '3.1.0',
      info: { title: 'crm-workflows API', version: '1.0.0', description: 'Starts, signals and queries the CRM workflows. Every refusal carries a reason code.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
    transform,
    // Registers every schema with an id (.meta({ id })) under components.schemas, where the $refs point.
    transformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const metrics = deps.metrics ?? createApiMetrics();
  registerMetrics(app, metrics);
  const access = registerAuth(app, { ...deps, metrics });
  app.decorate('permissionCatalogue', access.catalogue);
  app.decorate('access', access);
  registerAudit(app, deps.db);
  await registerRoutes(app, deps);

  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  return app;
}
