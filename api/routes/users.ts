import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../../domain/permissions';
import { addUser, issueKeyForUser, listKeysOfUser, listUsers, revokeKey, setManager } from '../../services/users/users';
import { standardErrors } from '../errors';
import { idParams, pageQuery, pageSchema } from '../schemas/common';
import type { ApiDeps } from '../types';

const errors = standardErrors;
const userSchema = z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES), managerId: z.string().nullable(), createdAt: z.string(), disabled: z.boolean() }).meta({ id: 'User' });
const toUserJson = (u: { id: string; name: string; role: (typeof ROLES)[number]; manager_id: string | null; created_at: Date; disabled_at: Date | null }) => ({ id: u.id, name: u.name, role: u.role, managerId: u.manager_id, createdAt: u.created_at.toISOString(), disabled: u.disabled_at !== null });
const keySchema = z.object({ id: z.string(), name: z.string(), prefix: z.string(), createdAt: z.string(), lastUsedAt: z.string().nullable(), revoked: z.boolean() }).meta({ id: 'ApiKey' });

export function userRoutes(app: FastifyInstance, { db }: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/v1/users', {
    config: { permission: 'users:write', auditEntity: 'user' },
    schema: { tags: ['users'], summary: 'Create a user with a role', body: z.strictObject({ name: z.string().trim().min(1).max(200), role: z.enum(ROLES), managerId: z.uuid({ message: 'must be a UUID' }).nullable().optional() }), response: { 201: userSchema, ...errors } },
  }, async (req, reply) => {
    const row = await addUser(db, req.body);
    return reply.code(201).send(toUserJson(row));
  });

  r.get('/v1/users', {
    config: { permission: 'users:read' },
    schema: { tags: ['users'], summary: 'List users (cursor pagination)', querystring: z.strictObject(pageQuery), response: { 200: pageSchema(userSchema), ...errors } },
  }, async (req) => {
    const { rows, nextCursor } = await listUsers(db, req.query);
    return { items: rows.map(toUserJson), nextCursor };
  });

  r.patch('/v1/users/:id', {
    config: { permission: 'users:write', auditEntity: 'user' },
    schema: { tags: ['users'], summary: "Set a user's manager (null: none)", params: idParams, body: z.strictObject({ managerId: z.uuid({ message: 'must be a UUID' }).nullable() }), response: { 200: userSchema, ...errors } },
  }, async (req) => toUserJson(await setManager(db, req.params.id, req.body.managerId)));

  r.post('/v1/users/:id/api-keys', {
    config: { permission: 'users:write', auditEntity: 'user' },
    schema: {
      tags: ['users'],
      summary: 'Issue an API key; the key is shown in this response only',
      params: idParams,
      body: z.strictObject({ name: z.string().trim().min(1).max(100) }),
      response: { 201: z.object({ id: z.string(), prefix: z.string(), key: z.string() }), ...errors },
    },
  }, async (req, reply) => {
    const issued = await issueKeyForUser(db, req.params.id, req.body.name);
    return reply.code(201).send(issued);
  });

  r.get('/v1/users/:id/api-keys', {
    config: { permission: 'users:read' },
    schema: { tags: ['users'], summary: "A user's API keys (never the keys themselves)", params: idParams, response: { 200: z.object({ items: z.array(keySchema) }), ...errors } },
  }, async (req) => {
    const rows = await listKeysOfUser(db, req.params.id);
    return { items: rows.map((k) => ({ id: k.id, name: k.name, prefix: k.prefix, createdAt: k.created_at.toISOString(), lastUsedAt: k.last_used_at?.toISOString() ?? null, revoked: k.revoked_at !== null })) };
  });

  r.delete('/v1/api-keys/:id', {
    config: { permission: 'users:write', auditEntity: 'api_key' },
    schema: { tags: ['users'], summary: 'Revoke an API key', params: idParams, response: { 204: z.null(), ...errors } },
  }, async (req, reply) => {
    await revokeKey(db, req.params.id);
    return reply.code(204).send(null);
  });
}
