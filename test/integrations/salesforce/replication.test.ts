/**
 * Replication API through our client: updated/deleted windows, INVALID_REPLICATION_DATE (short window,
 * beyond retention, before a purge), and merge / undelete / purge as the feeds and queryAll show them.
 * The emulator's clock is moved instead of waiting.
 */
import { SalesforceCursorExpiredError, type SalesforceClient } from '../../../integrations/salesforce';
import type { SalesforceEmulator } from '../../emulators/salesforce';
import { at, clientFor, collect, startEmulator } from './helpers';

let emulator: SalesforceEmulator;
let client: SalesforceClient;
beforeEach(async () => {
  emulator = await startEmulator();
  client = clientFor(emulator);
});
afterEach(() => emulator.stop());

const DAY = 86_400_000;
const seedContacts = (n: number): string[] =>
  emulator.control.seed('Contact', Array.from({ length: n }, (_, i) => ({ LastName: `Person ${i}`, Email: `p${i}@acme.example` })));

async function contactRows(): Promise<Array<Record<string, unknown>>> {
  const pages = await collect(client.queryAll('SELECT Id, IsDeleted, MasterRecordId FROM Contact ORDER BY Id'));
  return pages.flatMap((p) => p.records);
}

test('updated returns ids changed in [start, latestDateCovered), ignoring seconds, with Salesforce\'s watermark', async () => {
  emulator.control.setClock('2026-03-02T10:00:30Z');
  const [a, b] = seedContacts(2);
  emulator.control.setClock('2026-03-02T10:03:10Z');
  emulator.control.edit(b!, { Title: 'CTO' });
  emulator.control.setClock('2026-03-02T10:07:00Z');
  // Seconds are ignored: a start of 10:00:45 still covers the record stamped 10:00:30.
  const first = await client.getUpdated('Contact', at('2026-03-02T10:00:45Z'), at('2026-03-02T10:03:00Z'));
  expect(first.ids).toEqual([a]); // b was edited at 10:03:10, after this window
  expect(first.latestDateCovered).toEqual(at('2026-03-02T10:03:00Z'));
  const second = await client.getUpdated('Contact', first.latestDateCovered, at('2026-03-02T10:10:00Z'));
  expect(second.ids).toEqual([b]);
  // Never past the emulator's now (floored to the minute).
  expect(second.latestDateCovered).toEqual(at('2026-03-02T10:07:00Z'));
});

test('a window of less than a minute is INVALID_REPLICATION_DATE → SalesforceCursorExpiredError', async () => {
  const err = await client.getUpdated('Contact', at('2026-03-02T09:58:05Z'), at('2026-03-02T09:58:55Z')).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SalesforceCursorExpiredError);
  expect(err).toMatchObject({ name: 'SalesforceCursorExpiredError', errorCode: 'INVALID_REPLICATION_DATE', status: 400 });
});

test('updated refuses a start older than 30 days', async () => {
  const start = new Date(Date.parse('2026-03-02T10:00:00Z') - 31 * DAY);
  await expect(client.getUpdated('Contact', start, at('2026-03-02T10:00:00Z'))).rejects.toMatchObject({ errorCode: 'INVALID_REPLICATION_DATE' });
  await expect(client.getUpdated('Contact', new Date(Date.parse('2026-03-02T10:00:00Z') - 29 * DAY), at('2026-03-02T10:00:00Z'))).resolves.toMatchObject({ ids: [] });
});

test('deleted lists soft deletes; a cursor older than the 15-day retention has expired', async () => {
  const [a] = seedContacts(1);
  emulator.control.setClock('2026-03-02T10:01:20Z');
  emulator.control.delete([a!]);
  emulator.control.setClock('2026-03-02T10:05:00Z');
  const feed = await client.getDeleted('Contact', at('2026-03-02T10:00:00Z'), at('2026-03-02T10:05:00Z'));
  expect(feed.deletedRecords).toEqual([{ id: a, deletedDate: at('2026-03-02T10:01:20Z') }]);
  expect(feed.latestDateCovered).toEqual(at('2026-03-02T10:05:00Z'));
  expect(feed.earliestDateAvailable.getTime()).toBeLessThanOrEqual(Date.parse('2026-03-02T10:00:00Z'));

  emulator.control.advanceClock(16 * DAY);
  const now = Date.parse(emulator.control.now());
  const err = await client.getDeleted('Contact', at('2026-03-02T10:00:00Z'), new Date(now)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SalesforceCursorExpiredError);
  // Within retention the feed still answers (and the expired entry is gone).
  const recent = await client.getDeleted('Contact', new Date(now - 14 * DAY), new Date(now));
  expect(recent.deletedRecords).toEqual([]);
});

test('merge: loser deleted with MasterRecordId → winner, winner updated; undelete brings the loser back', async () => {
  const [winner, loser] = seedContacts(2);
  emulator.control.setClock('2026-03-02T10:02:10Z');
  emulator.control.merge('Contact', winner!, [loser!]);
  emulator.control.setClock('2026-03-02T10:04:00Z');

  const deleted = await client.getDeleted('Contact', at('2026-03-02T10:01:00Z'), at('2026-03-02T10:04:00Z'));
  expect(deleted.deletedRecords.map((d) => d.id)).toEqual([loser]);
  const updated = await client.getUpdated('Contact', at('2026-03-02T10:01:00Z'), at('2026-03-02T10:04:00Z'));
  expect(updated.ids).toEqual([winner]);
  expect(await contactRows()).toEqual([
    { Id: winner, IsDeleted: false, MasterRecordId: null },
    { Id: loser, IsDeleted: true, MasterRecordId: winner },
  ]);
  // query (not queryAll) no longer sees the loser.
  const live = await collect(client.query('SELECT Id FROM Contact'));
  expect(live[0]!.records.map((r) => r.Id)).toEqual([winner]);

  emulator.control.setClock('2026-03-02T10:05:30Z');
  emulator.control.undelete([loser!]);
  emulator.control.setClock('2026-03-02T10:07:00Z');
  const after = await client.getUpdated('Contact', at('2026-03-02T10:05:00Z'), at('2026-03-02T10:07:00Z'));
  expect(after.ids).toEqual([loser]);
  const deletedAfter = await client.getDeleted('Contact', at('2026-03-02T10:01:00Z'), at('2026-03-02T10:07:00Z'));
  expect(deletedAfter.deletedRecords).toEqual([]);
  expect((await contactRows()).find((r) => r.Id === loser)).toMatchObject({ IsDeleted: false });
});

test('purge: gone from queryAll and from deleted, and a deleted cursor from before the purge has expired', async () => {
  const [keep, gone] = seedContacts(2);
  emulator.control.setClock('2026-03-02T10:01:10Z');
  emulator.control.delete([gone!]);
  emulator.control.setClock('2026-03-02T10:03:00Z');
  emulator.control.purge([gone!]);
  emulator.control.setClock('2026-03-02T10:06:00Z');

  expect((await contactRows()).map((r) => r.Id)).toEqual([keep]);
  const err = await client.getDeleted('Contact', at('2026-03-02T10:00:00Z'), at('2026-03-02T10:06:00Z')).catch((e: unknown) => e);
  expect(err).toMatchObject({ name: 'SalesforceCursorExpiredError', errorCode: 'INVALID_REPLICATION_DATE' });
  const fromPurge = await client.getDeleted('Contact', at('2026-03-02T10:02:00Z'), at('2026-03-02T10:06:00Z'));
  expect(fromPurge.deletedRecords).toEqual([]);
  expect(fromPurge.earliestDateAvailable).toEqual(at('2026-03-02T10:02:00Z'));
});

test('lead conversion: the lead stays, converted, in the updated feed; the new contact appears too', async () => {
  const [lead] = emulator.control.seed('Lead', [{ FirstName: 'Lee', LastName: 'Lead', Email: 'lee@prospect.example', Company: 'Prospect Ltd' }]);
  emulator.control.setClock('2026-03-02T10:02:00Z');
  const { contactId, accountId } = emulator.control.convertLead(lead!);
  emulator.control.setClock('2026-03-02T10:04:00Z');
  expect((await client.getUpdated('Lead', at('2026-03-02T10:01:00Z'), at('2026-03-02T10:04:00Z'))).ids).toEqual([lead]);
  expect((await client.getUpdated('Contact', at('2026-03-02T10:01:00Z'), at('2026-03-02T10:04:00Z'))).ids).toEqual([contactId]);
  const [row] = await client.retrieve('Lead', [lead!], ['Id', 'IsConverted', 'ConvertedContactId', 'ConvertedAccountId']);
  expect(row).toEqual({ Id: lead, IsConverted: true, ConvertedContactId: contactId, ConvertedAccountId: accountId });
  const [write] = await client.updateMany('Lead', [{ Id: lead!, Company: 'Renamed' }]);
  expect(write).toMatchObject({ success: false, errors: [{ statusCode: 'CANNOT_UPDATE_CONVERTED_LEAD' }] });
});
