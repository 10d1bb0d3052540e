import { existsSync } from 'node:fs';
import { committedHistoryFiles, historyFile, RECORDED_HISTORIES, replayAgainstCurrentCode } from '../harness/histories';

/** Every committed workflow history must replay against today's workflow code; none may be missing. */
describe('replay of recorded histories', () => {
  it.each(RECORDED_HISTORIES)('%s is committed', (name) => {
    // npm test never records: a deleted history is a failure here, not something regenerated from today's code.
    expect({ name, committed: existsSync(historyFile(name)) }).toEqual({ name, committed: true });
  });

  it('has no committed history the suite does not know about (each one is replayed)', () => {
    expect(committedHistoryFiles()).toEqual([...RECORDED_HISTORIES].sort());
  });

  it.each(RECORDED_HISTORIES)('%s replays deterministically', async (name) => {
    await expect(replayAgainstCurrentCode(name)).resolves.toBeUndefined();
  });
});
