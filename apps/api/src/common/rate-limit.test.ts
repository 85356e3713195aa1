import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisThrottlerStorage, SlidingWindowThrottlerStorage } from './rate-limit.js';
import { deleteRedisKeys } from '../../testing/redis-cleanup.js';

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

describe.skipIf(!process.env.REDIS_URL)('RedisThrottlerStorage', () => {
  const prefix = `consult-on-test:rate:${process.pid}:${Date.now()}:`;
  afterAll(async () => {
    await deleteRedisKeys(process.env.REDIS_URL!, prefix);
  });

  it('answers as the memory storage does, request for request (the same rule in Lua)', async () => {
    const clock = { now: 10 * MINUTE };
    const memory = new SlidingWindowThrottlerStorage(() => clock.now);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({ ttl: fc.constantFrom(MINUTE, 3_600_000), limit: fc.integer({ min: 1, max: 8 }), block: fc.constantFrom(0, 1_000, MINUTE) }),
        fc.array(fc.record({ key: fc.constantFrom('a', 'b'), advance: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 0, max: 2 * MINUTE })) }), { minLength: 1, maxLength: 40 }),
        async ({ ttl, limit, block }, requests) => {
          run += 1;
          const redis = new RedisThrottlerStorage(process.env.REDIS_URL!, `${prefix}${run}:`, () => clock.now);
          await redis.onModuleInit();
          try {
            for (const { key, advance } of requests) {
              clock.now += advance;
              const expected = await memory.increment(`${run}:${key}`, ttl, limit, block, 'default');
              expect(await redis.increment(key, ttl, limit, block, 'default')).toEqual(expected);
            }
          } finally {
            redis.onApplicationShutdown();
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);

  it('counts for every instance on the same counters', async () => {
    const clock = { now: 20 * MINUTE };
    const [one, two] = [new RedisThrottlerStorage(process.env.REDIS_URL!, `${prefix}shared:`, () => clock.now), new RedisThrottlerStorage(process.env.REDIS_URL!, `${prefix}shared:`, () => clock.now)];
    await Promise.all([one.onModuleInit(), two.onModuleInit()]);
    try {
      const blocked = [];
      for (let index = 0; index < 6; index += 1) blocked.push((await (index % 2 === 0 ? one : two).increment('1.2.3.4', MINUTE, 4, MINUTE, 'auth')).isBlocked);
      expect(blocked).toEqual([false, false, false, false, true, true]);
    } finally {
      one.onApplicationShutdown();
      two.onApplicationShutdown();
    }
  });
});

describe('RedisThrottlerStorage with Redis down', () => {
  it('counts on this instance alone, at once and without throwing', async () => {
    const storage = new RedisThrottlerStorage('redis://127.0.0.1:1', 'down:');
    await storage.onModuleInit(200);
    try {
      const started = performance.now();
      const outcomes = [];
      for (let index = 0; index < 20; index += 1) outcomes.push(await storage.increment('1.2.3.4', MINUTE, 3, MINUTE, 'auth'));
      expect(outcomes.map((outcome) => outcome.isBlocked)).toEqual([false, false, false, ...Array.from({ length: 17 }, () => true)]);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      storage.onApplicationShutdown();
    }
  });
});

describe('both storages', () => {
  it('count in the window a counter reached when a clock is behind it (instances never set a counter back)', async () => {
    const clock = { now: 10 * MINUTE + 59_990 };
    const storage = new SlidingWindowThrottlerStorage(() => clock.now);
    for (let index = 0; index < 2; index += 1) await storage.increment('k', MINUTE, 3, MINUTE, 'auth');
    clock.now = 11 * MINUTE + 5; // this instance's clock is ahead: the counter moves into the next minute
    expect((await storage.increment('k', MINUTE, 3, MINUTE, 'auth')).isBlocked).toBe(false);
    clock.now = 10 * MINUTE + 59_995; // another's, behind: counted in the window the counter is in (3 hits: blocked), not in a fresh one
    expect((await storage.increment('k', MINUTE, 3, MINUTE, 'auth')).isBlocked).toBe(true);
  });

  it('forget an hour’s counter only after two hours, whatever minute-long counters are swept meanwhile', async () => {
    const clock = { now: 10 * 3_600_000 };
    const storage = new SlidingWindowThrottlerStorage(() => clock.now);
    for (let index = 0; index < 3; index += 1) await storage.increment('1.2.3.4', 3_600_000, 3, 3_600_000, 'register');
    clock.now += 5 * MINUTE; // the minute-long throttler sweeps on its next request
    await storage.increment('1.2.3.4', MINUTE, 100, MINUTE, 'default');
    clock.now += MINUTE;
    expect((await storage.increment('1.2.3.4', 3_600_000, 3, 3_600_000, 'register')).isBlocked).toBe(true);
  });
});
