/**
 * Two tiny workflows for the payload-codec and failure-scrubbing tests, bundled by those tests (not
 * part of the service's bundle): one echoes its input through an activity, one runs an activity that
 * fails. Each activity runs once, so a failure reaches history at once.
 */
import { proxyActivities } from '@temporalio/workflow';

export interface FixtureActivities {
  echo(value: unknown): Promise<unknown>;
  fail(ref: string): Promise<void>;
}

const { echo, fail } = proxyActivities<FixtureActivities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 1 } });

export async function echoWorkflow(value: unknown): Promise<unknown> {
  return echo(value);
}

export async function failingActivityWorkflow(ref: string): Promise<void> {
  await fail(ref);
}
