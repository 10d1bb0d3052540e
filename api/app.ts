import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { errorHandler, notFoundHandler } from './errors';
import { LOG_REDACT, requestLogSerializers } from './logging';
import { registerAudit } from './plugins/audit';
import { registerAuth } from './plugins/auth';
import { registerRoutes } from './routes';
import type { ApiDeps } from './types';


export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const loggerOpts = typeof deps.logger === 'object' ? { loggerInstance: deps.logger } : { logger: deps.logger === false ? false : { level: deps.config.LOG_LEVEL, redact: LOG_REDACT, serializers: requestLogSerializers } };
  const app = Fastify({
    ...loggerOpts,
    bodyLimit: deps.config.BODY_LIMIT_BYTES,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(given) ? given : randomUUID();
    },
    // URLs are logged, never bodies: bodies may carry personal data.
    disableRequestLogging: false,
    trustProxy: false,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // Rate limits apply to writes: mark them before the plugin reads route configs.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.some((m) => !['GET', 'HEAD', 'OPTIONS'].includes(m))) {
      route.config = { ...(route.config ?? {}), rateLimit: { max: deps.config.WRITE_RATE_LIMIT_PER_MINUTE, timeWindow: 60_000 } } as typeof route.config;
    }
  });
  await app.register(rateLimit, {
    global: false,
    keyGenerator: (req) => req.headers.authorization ?? req.ip,
    errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, code: 'RATE_LIMITED', message: `Rate limit exceeded: at most ${ctx.max} writes per minute. Retry in ${Math.ceil(ctx.ttl / 1000)} s.` }),
  });
  await app.register(helmet, {
    // Swagger UI needs inline scripts and styles on /docs.
    contentSecurityPolicy: { directives: { 'script-src': ["'self'", "'unsafe-inline'"], 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] } },
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'crm-workflows API', version: '1.0.0', description: 'Starts, signals and queries the CRM workflows. Every refusal carries a reason code.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const permissionCatalogue = registerAuth(app, deps.db);
  app.decorate('permissionCatalogue', permissionCatalogue);
  registerAudit(app, deps.db);
  await registerRoutes(app, deps);

  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  return app;
}
