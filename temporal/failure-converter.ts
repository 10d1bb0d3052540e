/**
 * Failure converter used with the payload codec: moves each failure's message and stack trace into
 * `encodedAttributes` (a payload), so the codec encrypts them too. Loaded by path (DataConverter's
 * `failureConverterPath`) by clients and workers, and bundled into the workflow sandbox by
 * `bundleWorkflowCode({ failureConverterPath })`, so it may import only sandbox-safe modules.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
