import { recordActivity } from '../../db/activity-log';
import type { Db } from '../../db/database';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A PSA webhook with a wrong or missing key, logged on the company it names (if that company exists). */
export async function recordRejectedPsaWebhook(db: Db, input: { body: unknown; requestId: string; keyPresented: boolean }): Promise<void> {
  const id = typeof input.body === 'object' && input.body !== null ? (input.body as { crmCompanyId?: unknown }).crmCompanyId : undefined;
  const company = typeof id === 'string' && UUID.test(id) ? await db.selectFrom('companies').select('id').where('id', '=', id).executeTakeFirst() : undefined;
  await recordActivity(db, {
    companyId: company?.id ?? null,
    type: 'psa_webhook_rejected',
    reasonCode: 'INTEGRATION_KEY_MISMATCH',
    data: { requestId: input.requestId, keyPresented: input.keyPresented },
    actor: 'webhook:psa',
  });
}
