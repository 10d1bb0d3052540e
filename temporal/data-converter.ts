/**
 * The one data converter every Temporal client and worker uses (API, worker, scripts, benchmarks,
 * tests), so how payloads are encoded is decided here and nowhere else. With TEMPORAL_PAYLOAD_KEY,
 * payloads are AES-256-GCM encrypted and failure messages and stack traces are encoded (then
 * encrypted) as well; without it, Temporal's defaults. Client and worker must use the same one, or
 * neither can read what the other wrote.
 */
import type { DataConverter } from '@temporalio/common';
import type { AppConfig } from '../domain/config';
import { AesGcmPayloadCodec } from './codec/encryption-codec';

export type DataConverterSettings = Pick<AppConfig, 'TEMPORAL_PAYLOAD_KEY'>;

/**
 * Absolute path of the module exporting `failureConverter` (encodeCommonAttributes: true). The workflow
 * bundle is built with it too: failures raised inside workflow code are converted in the sandbox.
 */
export const FAILURE_CONVERTER_PATH: string = require.resolve('./failure-converter');

export function dataConverter(settings: DataConverterSettings): DataConverter {
  const keys = settings.TEMPORAL_PAYLOAD_KEY;
  if (keys === undefined) return {};
  return { payloadCodecs: [new AesGcmPayloadCodec(keys)], failureConverterPath: FAILURE_CONVERTER_PATH };
}
