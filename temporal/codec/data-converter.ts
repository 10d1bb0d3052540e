/**
 * The one DataConverter for every Temporal client and worker: with payload keys, payloads are
 * AES-256-GCM encrypted and failure messages / stack traces are encoded (then encrypted) as well;
 * without keys, Temporal's defaults. Client and worker must use the same one, or neither can read
 * what the other wrote.
 */
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from './encryption-codec';
import type { PayloadKeyRing } from './payload-keys';

/**
 * Absolute path of the module exporting `failureConverter` (encodeCommonAttributes: true). Pass it to
 * `bundleWorkflowCode({ failureConverterPath })` too: failures raised inside workflow code are converted
 * in the sandbox by whatever converter the bundle was built with.
 */
export const FAILURE_CONVERTER_PATH: string = require.resolve('./failure-converter');

export function dataConverterFor(keys: PayloadKeyRing | undefined): DataConverter {
  if (keys === undefined) return {};
  return { payloadCodecs: [new AesGcmPayloadCodec(keys)], failureConverterPath: FAILURE_CONVERTER_PATH };
}
