import type { FastifyRequest } from 'fastify';
import type { Actor } from '../services/actor';

/** The authenticated caller, as services see it. */
export const actorOf = (req: FastifyRequest): Actor => ({ userId: req.principal?.userId ?? null, role: req.principal?.role ?? null });
