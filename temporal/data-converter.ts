/**
 * The one data converter every Temporal client and worker uses (API, worker, scripts, benchmarks,
 * tests), so how payloads are encoded is decided here and nowhere else.
 */
import type { DataConverter } from '@temporalio/common';
import type { AppConfig } from '../domain/config';

export type DataConverterSettings = Pick<AppConfig, 'NODE_ENV'>;

export function dataConverter(_settings: DataConverterSettings): DataConverter {
  return {};
}
