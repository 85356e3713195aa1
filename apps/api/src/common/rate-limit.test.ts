import { describe, expect, it } from 'vitest';
import { SlidingWindowThrottlerStorage } from './rate-limit.js';

const MINUTE = 60_000;

function storageAt(start: number) {
  const clock = { now: start };
  return { clock, storage: new SlidingWindowThrottlerStorage(() => clock.now) };
}

describe('SlidingWindowThrottlerStorage', () => {
  it('lets `limit` requests through per window, then blocks for the block duration', async () => {
    const { clock, storage } = storageAt(10 * MINUTE);
    const results = [];
    for (let index = 0; index < 5; index += 1) results.push(await storage.increment('1.2.3.4', MINUTE, 3, MINUTE, 'default'));
    expect(results.map((result) => result.isBlocked)).toEqual([false, false, false, true, true]);
    expect(results.map((result) => result.totalHits)).toEqual([1, 2, 3, 4, 4]);
    expect(results[3]!.timeToBlockExpire).toBe(60);
    // Another address and another throttler count apart.
    expect((await storage.increment('5.6.7.8', MINUTE, 3, MINUTE, 'default')).isBlocked).toBe(false);
    expect((await storage.increment('1.2.3.4', MINUTE, 3, MINUTE, 'auth')).isBlocked).toBe(false);
    clock.now += MINUTE + 1;
    // The block is over, but the sliding window still covers almost all of the previous window's
    // three hits: one more gets through (as the oldest slides out), the next does not.
    expect((await storage.increment('1.2.3.4', MINUTE, 3, MINUTE, 'default')).isBlocked).toBe(false);
    expect((await storage.increment('1.2.3.4', MINUTE, 3, MINUTE, 'default')).isBlocked).toBe(true);
  });

  it('slides: the previous window counts by the share of it still inside the last ttl', async () => {
    const { clock, storage } = storageAt(10 * MINUTE);
    for (let index = 0; index < 10; index += 1) await storage.increment('k', MINUTE, 10, MINUTE, 'default');
    clock.now = 11 * MINUTE + MINUTE / 2; // half of the previous window is still inside the sliding window
    const results = [];
    for (let index = 0; index < 6; index += 1) results.push(await storage.increment('k', MINUTE, 10, MINUTE, 'default'));
    expect(results.map((result) => result.isBlocked)).toEqual([false, false, false, false, false, true]);
    clock.now = 13 * MINUTE; // a whole window without requests: nothing carried over
    expect(await storage.increment('k', MINUTE, 10, MINUTE, 'default')).toMatchObject({ isBlocked: false, totalHits: 1 });
  });

  it('costs the same per request whatever the limit (the library storage throws past ~120,000 hits)', async () => {
    const { storage } = storageAt(10 * MINUTE);
    let last = null;
    for (let index = 0; index < 200_000; index += 1) last = await storage.increment('busy', MINUTE, 100_000_000, MINUTE, 'default');
    expect(last).toMatchObject({ isBlocked: false, totalHits: 200_000 });
  });

  it('forgets counters idle for two windows', async () => {
    const { clock, storage } = storageAt(10 * MINUTE);
    for (let index = 0; index < 100; index += 1) await storage.increment(`address-${index}`, MINUTE, 5, MINUTE, 'default');
    expect(storage.size).toBe(100);
    clock.now += 2 * MINUTE;
    await storage.increment('address-0', MINUTE, 5, MINUTE, 'default');
    expect(storage.size).toBe(1);
  });
});
