import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

/** A batch runner the test opens by hand: records each batch and waits until released. */
function recorder() {
  const batches: Array<{ key: string; items: number[] }> = [];
  const releases: Array<() => void> = [];
  const run = (key: string, items: number[]) =>
    new Promise<void>((resolve) => {
      batches.push({ key, items: [...items] });
      releases.push(resolve);
    });
  const releaseNext = async () => {
    releases.shift()!();
    // Let the finished batch's drain take the next one.
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
  };
  return { batches, run, releaseNext };
}

describe('GroupCommit', () => {
  it('runs the first item at once, alone, and what arrives meanwhile as the next batch', async () => {
    const { batches, run, releaseNext } = recorder();
    const commits = new GroupCommit<number>(run, 10);
    commits.add('pool', 1);
    expect(batches).toEqual([{ key: 'pool', items: [1] }]);
    commits.add('pool', 2);
    commits.add('pool', 3);
    expect(commits.pending).toBe(2);
    await releaseNext();
    expect(batches[1]).toEqual({ key: 'pool', items: [2, 3] });
    await releaseNext();
    expect(batches).toHaveLength(2);
    expect(commits.pending).toBe(0);
    // Idle again: the next item runs at once.
    commits.add('pool', 4);
    expect(batches[2]).toEqual({ key: 'pool', items: [4] });
  });

  it('keys run independently, and a batch never holds more than maxBatch items', async () => {
    const { batches, run, releaseNext } = recorder();
    const commits = new GroupCommit<number>(run, 2);
    commits.add('a', 1);
    commits.add('b', 100);
    for (const item of [2, 3, 4, 5, 6]) commits.add('a', item);
    expect(batches.map((batch) => batch.key)).toEqual(['a', 'b']);
    await releaseNext();
    expect(batches[2]).toEqual({ key: 'a', items: [2, 3] });
    await releaseNext();
    await releaseNext();
    expect(batches[3]).toEqual({ key: 'a', items: [4, 5] });
    await releaseNext();
    expect(batches[4]).toEqual({ key: 'a', items: [6] });
  });

  it('goes on with the items behind a batch whose runner threw', async () => {
    const seen: number[][] = [];
    let fail = true;
    const commits = new GroupCommit<number>(async (_key, items) => {
      seen.push([...items]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (fail) {
        fail = false;
        throw new Error('lost');
      }
    }, 8);
    commits.add('pool', 1);
    commits.add('pool', 2);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(seen).toEqual([[1], [2]]);
    expect(commits.pending).toBe(0);
  });

  it('refuses a batch size that is not a positive integer', () => {
    expect(() => new GroupCommit<number>(async () => {}, 0)).toThrow(RangeError);
    expect(() => new GroupCommit<number>(async () => {}, 1.5)).toThrow(RangeError);
  });
});
