import { recordedHistories, replayAgainstCurrentCode } from '../harness/histories';

/** Every recorded workflow history must replay against today's workflow code. */
const names = recordedHistories();

describe('replay of recorded histories', () => {
  it('has recorded histories to replay', () => {
    expect(names.length).toBeGreaterThan(0);
  });

  it.each(names)('%s replays deterministically', async (name) => {
    await expect(replayAgainstCurrentCode(name)).resolves.toBeUndefined();
  });
});
