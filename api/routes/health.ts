import type { FastifyInstance } from 'fastify';
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

export function healthRoutes(app: FastifyInstance, { db, temporal, config }: ApiDeps): void {
  app.get('/healthz', { config: { public: true }, schema: { tags: ['health'], summary: 'The process is up' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { public: true }, schema: { tags: ['health'], summary: 'The database and Temporal are reachable (200), or which is not (503)' } }, async (_req, reply) => {
    const checks: Record<string, { ok: boolean; error?: string }> = {};
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
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });
}
