import { rmSync } from 'node:fs';
import type { HarnessHandles } from './harness-env';

export default async function globalTeardown(): Promise<void> {
  const handles = (globalThis as { __crmHarness?: HarnessHandles }).__crmHarness;
  if (!handles) return;
  await Promise.allSettled([handles.temporal.stop(), handles.pg.stop()]);
  if (!process.env.KEEP_TEST_DATA) rmSync(handles.dir, { recursive: true, force: true });
}
