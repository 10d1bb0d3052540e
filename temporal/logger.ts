/** The logging the Temporal helpers need (pino and Fastify's request logger both fit). */
export interface TemporalLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
