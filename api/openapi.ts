/**
 * OpenAPI generation and response serialization for routes that mix zod schemas (JSON) with plain
 * OpenAPI response objects (a GIF, an HTML page, a redirect). zod schemas are converted and used to
 * serialize as before; plain response objects (`{ description, content }`) go into the document as
 * written and their payloads are sent as they are.
 */
import type { FastifySerializerCompiler } from 'fastify/types/schema';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];

const isZod = (value: unknown): value is z.ZodType => value instanceof z.ZodType;

export const transform = (input: TransformInput) => {
  const response = (input.schema as { response?: Record<string, unknown> } | undefined)?.response;
  if (!response) return jsonSchemaTransform(input);
  const zodOnly = Object.fromEntries(Object.entries(response).filter(([, v]) => isZod(v)));
  const plain = Object.fromEntries(Object.entries(response).filter(([, v]) => !isZod(v)));
  const out = jsonSchemaTransform({ ...input, schema: { ...input.schema, response: zodOnly } } as TransformInput);
  (out.schema as { response?: Record<string, unknown> }).response = { ...(out.schema as { response?: Record<string, unknown> }).response, ...plain };
  return out;
};

export const transformObject = jsonSchemaTransformObject;

export const serializerCompiler: FastifySerializerCompiler<unknown> = (routeSchema) =>
  isZod(routeSchema.schema) ? zodSerializerCompiler(routeSchema as never) : (data: unknown) => (typeof data === 'string' ? data : JSON.stringify(data));

/** A response that is not JSON, documented by content type. */
export const nonJsonResponse = (description: string, content: Record<string, { type: string; format?: string }>) => ({
  description,
  content: Object.fromEntries(Object.entries(content).map(([type, schema]) => [type, { schema }])),
});

/** An error that is HTML for browsers (Accept: text/html) and the JSON error shape for everything else. */
export const htmlOrJsonError = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } }, 'text/html': { schema: { type: 'string' } } },
});
