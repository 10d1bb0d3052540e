/**
 * Activity interceptor: an error leaving an activity is scrubbed of email addresses and of the
 * personal values the activity registered with rememberPersonalData(), before Temporal turns it into
 * a failure in workflow history (and before the worker logs it). An SMTP "550 <ada@example.com>:
 * Recipient address rejected" reaches history as "550 <[email]>: Recipient address rejected".
 *
 * Install: Worker.create({ interceptors: { activity: [scrubActivityFailures] } }).
 */
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, Next } from '@temporalio/worker';
import { rememberedPersonalData, withPersonalDataRegistry } from '../activities/scrub/personal-data-registry';
import { scrubError } from '../activities/scrub/scrub-error';

export class ScrubActivityFailuresInterceptor implements ActivityInboundCallsInterceptor {
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    return withPersonalDataRegistry(async () => {
      try {
        return await next(input);
      } catch (err) {
        throw scrubError(err, rememberedPersonalData());
      }
    });
  }
}

export const scrubActivityFailures: ActivityInterceptorsFactory = () => ({ inbound: new ScrubActivityFailuresInterceptor() });
