import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { pingDatabase } from '../../services/health';
import type { ApiDeps } from '../types';

async function withTimeout<T>(what: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([what, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

const healthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });
const check = z.object({ ok: z.boolean(), error: z.string().optional() });
const readinessSchema = z.object({ status: z.enum(['ready', 'not_ready']), checks: z.object({ database: check, temporal: check }) }).meta({ id: 'Readiness' });

export function healthRoutes(app: FastifyInstance, { db, temporal, config }: ApiDeps): void {
  app.get('/healthz', { config: { public: true, unlimited: true }, schema: { tags: ['health'], summary: 'The process is up', response: { 200: healthSchema } } }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', { config: { public: true, unlimited: true }, schema: { tags: ['health'], summary: 'The database and Temporal are reachable (200), or which is not (503)', response: { 200: readinessSchema, 503: readinessSchema } } }, async (_req, reply) => {
    const checks = {} as z.infer<typeof readinessSchema>['checks'];
    await Promise.all([
      withTimeout(pingDatabase(db), 2_000).then(
        () => { checks.database = { ok: true }; },
        (err: Error) => { checks.database = { ok: false, error: err.message }; },
      ),
      temporal.connection.withDeadline(Date.now() + 2_000, () => temporal.workflowService.describeNamespace({ namespace: config.TEMPORAL_NAMESPACE })).then(
        () => { checks.temporal = { ok: true }; },
        (err: Error) => { checks.temporal = { ok: false, error: err.message }; },
      ),
    ]);
    const ready = Object.values(checks).every((c) => c.ok);
    return reply.code(ready ? 200 : 503).send({ status: ready ? ('ready' as const) : ('not_ready' as const), checks });
  });
}
