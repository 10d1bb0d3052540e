/**
 * The JSON body parser: Fastify's own (secure-json-parse, refusing prototype-poisoning keys), but with
 * errors that say what is wrong: a body that is valid JSON yet uses `__proto__` or
 * `constructor.prototype` is refused as such, not reported as "not valid JSON".
 */
import type { FastifyInstance } from 'fastify';
import secureJsonParse from 'secure-json-parse';
import { ApiError } from './errors';

export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.length === 0) {
      done(new ApiError(400, 'INVALID_JSON', 'The body is empty but content-type is application/json; send a JSON body or no content-type.', [{ path: 'body', problem: 'empty' }]), undefined);
      return;
    }
    try {
      done(null, secureJsonParse.parse(text, { protoAction: 'error', constructorAction: 'error' }));
    } catch (err) {
      if (err instanceof SyntaxError && /forbidden (prototype|constructor) property/i.test(err.message)) {
        done(new ApiError(400, 'FORBIDDEN_PROPERTY', 'The body uses a reserved key (__proto__ or constructor.prototype); such keys are refused.', [{ path: 'body', problem: 'reserved key __proto__ or constructor.prototype' }]), undefined);
        return;
      }
      done(new ApiError(400, 'INVALID_JSON', 'The body is not valid JSON.', [{ path: 'body', problem: 'not valid JSON' }]), undefined);
    }
  });
}
