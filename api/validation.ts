/**
 * The schema layer every route goes through: the zod validator, plus one check no route can forget —
 * no string anywhere in a body, querystring or path may hold a NUL character (PostgreSQL refuses it
 * in text, so it would surface as a 500). Refused as a validation error naming the field.
 */
import type { FastifySchemaCompiler } from 'fastify';
import { validatorCompiler as zodValidatorCompiler } from 'fastify-type-provider-zod';
import type { z } from 'zod';

const ZOD_VALIDATION_ERROR = Symbol.for('ZodFastifySchemaValidationError');
const NUL = '\u0000';

/** Paths (as ['a', 0, 'b']) of the strings, and object keys, that contain a NUL character. */
export function findNulCharacters(value: unknown, path: (string | number)[] = [], found: (string | number)[][] = []): (string | number)[][] {
  if (typeof value === 'string') {
    if (value.includes(NUL)) found.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => findNulCharacters(item, [...path, i], found));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes(NUL)) found.push([...path, key.replace(/\u0000/g, '\\u0000')]);
      else findNulCharacters(item, [...path, key], found);
    }
  }
  return found;
}

export const validatorCompiler: FastifySchemaCompiler<z.ZodType> = (routeSchema) => {
  const zod = zodValidatorCompiler(routeSchema);
  return (data) => {
    const nul = findNulCharacters(data);
    if (nul.length > 0) {
      return {
        error: nul.map((path) => ({
          [ZOD_VALIDATION_ERROR]: true,
          keyword: 'nul_character',
          instancePath: `/${path.join('/')}`,
          schemaPath: '#/nul_character',
          message: 'must not contain the NUL character (\\u0000)',
          params: {},
        })) as never,
      };
    }
    return zod(data);
  };
};
