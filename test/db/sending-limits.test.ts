/**
 * The sending limits' reservation (one statement for the minute and the day): a full day takes
 * nothing and gives the minute back; a full minute does not touch the day.
 */
import { reserveSendCapacity } from '../../db/sending-limits';
import { createTestDatabase, type TestDatabase } from '../harness/database';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(() => tdb.drop());

const AT = Date.UTC(2026, 0, 5, 10, 30, 15);
const counts = async (mailboxId: string) =>
  Object.fromEntries((await tdb.db.selectFrom('mailbox_send_counters').select(['window_kind', 'count']).where('mailbox_id', '=', mailboxId).execute()).map((r) => [r.window_kind, r.count]));

async function mailbox(limits: { per_minute_limit: number; daily_limit: number }) {
  const { id } = await tdb.db.insertInto('mailboxes').values({ provider: 'smtp', address: 'limits@crm.test', settings: JSON.stringify({}), ...limits }).returning('id').executeTakeFirstOrThrow();
  return { id, ...limits };
}

it('counts a send in the minute and the day; a full minute leaves the day alone', async () => {
  const m = await mailbox({ per_minute_limit: 2, daily_limit: 10 });
  expect(await reserveSendCapacity(tdb.db, m, AT)).toEqual({ ok: true });
  expect(await reserveSendCapacity(tdb.db, m, AT)).toEqual({ ok: true });
  expect(await counts(m.id)).toEqual({ minute: 2, day: 2 });
  expect(await reserveSendCapacity(tdb.db, m, AT)).toEqual({ ok: false, code: 'MAILBOX_RATE_LIMIT', windowStartMs: Date.UTC(2026, 0, 5, 10, 30), retryAtMs: Date.UTC(2026, 0, 5, 10, 31) });
  expect(await counts(m.id)).toEqual({ minute: 2, day: 2 });
});

it('a full day takes nothing: the minute slot it took is given back', async () => {
  const m = await mailbox({ per_minute_limit: 5, daily_limit: 1 });
  expect(await reserveSendCapacity(tdb.db, m, AT)).toEqual({ ok: true });
  expect(await reserveSendCapacity(tdb.db, m, AT + 1_000)).toEqual({ ok: false, code: 'MAILBOX_DAILY_LIMIT', windowStartMs: Date.UTC(2026, 0, 5), retryAtMs: Date.UTC(2026, 0, 6) });
  expect(await counts(m.id)).toEqual({ minute: 1, day: 1 });
});
