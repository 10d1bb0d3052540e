import type { FastifyRequest } from 'fastify';

/**
 * Request log lines carry the route and path, never the query string: filters such as
 * `?email=` are personal data and must not reach info-level logs.
 */
export const requestLogSerializers = {
  req(req: FastifyRequest) {
    return { id: req.id, method: req.method, url: req.url.split('?')[0], route: req.routeOptions?.url };
  },
};

export const LOG_REDACT = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-mail-signature"]'];
