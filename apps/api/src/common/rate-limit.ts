import { Injectable, Logger, SetMetadata, type ExecutionContext, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Inject } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerGuard, type ThrottlerModuleOptions, type ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { failFastRedis } from './fail-fast-redis.js';
import type { AppConfig } from '../config/app-config.js';

const AUTH_RATE_LIMIT = 'authRateLimit';
const REGISTER_RATE_LIMIT = 'registerRateLimit';

/** Routes that take a password: limited much more tightly, per client address, against brute force. */
export const AuthRateLimit = () => SetMetadata(AUTH_RATE_LIMIT, true);
/** Creating an account: each one comes with a free allowance, so an address may create only a few an hour. */
export const RegisterRateLimit = () => SetMetadata(REGISTER_RATE_LIMIT, true);

/** Who a request's credentials say it comes from, when they name a known client (an API key this instance has read); null otherwise. */
export interface ClientTracker {
  clientOf(authorization: string): string | null;
}
export const CLIENT_TRACKER = Symbol('CLIENT_TRACKER');

const marked = (key: string) => (context: ExecutionContext) => !Reflect.getMetadata(key, context.getHandler());

/**
 * Counts each limit per client address across all the routes it applies to (the library's own
 * key is per route, so an address had the whole limit again on every route) — on `/v1`, per API
 * key instead, once the key is known to this instance (a company's servers share an address; a
 * key this instance has not read yet counts on its address, so made-up keys cannot dodge it).
 */
@Injectable()
export class ClientRateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    @Inject(CLIENT_TRACKER) private readonly clients: ClientTracker,
  ) {
    super(options, storage, reflector);
  }

  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const path = request['path'];
    const authorization = (request['headers'] as Record<string, unknown> | undefined)?.['authorization'];
    if (typeof path === 'string' && path.startsWith('/v1/') && typeof authorization === 'string') {
      const client = this.clients.clientOf(authorization);
      if (client) return client;
    }
    return super.getTracker(request);
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }
}

/** The rate-limit counters (`rateCounters`), for limits counted outside the guard (an API key's turns a minute). */
export const RATE_COUNTERS = Symbol('RATE_COUNTERS');

/** With Redis, every instance counts on the same counters (behind two instances a limit stays the limit); without, this process alone. */
export function rateCounters(config: AppConfig): ThrottlerStorage {
  return config.redis.url ? new RedisThrottlerStorage(config.redis.url, `${config.redis.keyPrefix}rate:`) : new SlidingWindowThrottlerStorage();
}

export function throttlerOptions(config: AppConfig, storage: ThrottlerStorage = rateCounters(config)): ThrottlerModuleOptions {
  return {
    storage,
    throttlers: [
      { name: 'default', ttl: 60_000, limit: config.rateLimit.perMinute },
      {
        name: 'auth',
        ttl: 60_000,
        limit: config.rateLimit.authPerMinute,
        skipIf: marked(AUTH_RATE_LIMIT),
      },
      { name: 'register', ttl: 3_600_000, limit: config.rateLimit.registerPerHour, skipIf: marked(REGISTER_RATE_LIMIT) },
    ],
  };
}

/** One counter of the sliding window: its fixed window, the hits of it and of the one before, and a block. */
export interface Window {
  /** Start of the current fixed window (a multiple of the ttl). */
  start: number;
  current: number;
  /** Hits of the window before, when it was the one just before `start`. */
  previous: number;
  blockedUntil: number;
}

export interface ThrottleOutcome {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/**
 * One request against a counter (pure; changes `window`, or makes it when there is none): a
 * sliding window approximated from two fixed ones — the hits of the current window plus those of
 * the previous window, weighted by the share of it the sliding window still covers; past the limit,
 * blocked for `blockDuration`. The same rule runs in Redis (`SLIDE_SCRIPT`, below); a test holds
 * the two to the same answers.
 */
export function slide(found: Window | undefined, at: number, ttl: number, limit: number, blockDuration: number): { window: Window; outcome: ThrottleOutcome } {
  // Time never goes back for a counter: an instance whose clock is behind the one that moved it on counts in its window.
  const now = found && at < found.start ? found.start : at;
  const start = now - (now % ttl);
  const window = found ?? { start, current: 0, previous: 0, blockedUntil: 0 };
  if (window.start !== start) {
    window.previous = start - window.start === ttl ? window.current : 0;
    window.current = 0;
    window.start = start;
  }
  const timeToExpire = Math.ceil((start + ttl - now) / 1_000);
  const counted = () => Math.floor(window.previous * (1 - (now - start) / ttl)) + window.current;
  if (window.blockedUntil <= now && counted() < limit) {
    window.current += 1;
    return { window, outcome: { totalHits: counted(), timeToExpire, isBlocked: false, timeToBlockExpire: 0 } };
  }
  if (window.blockedUntil <= now) window.blockedUntil = now + blockDuration;
  return { window, outcome: { totalHits: counted() + 1, timeToExpire, isBlocked: true, timeToBlockExpire: Math.ceil((window.blockedUntil - now) / 1_000) } };
}

const SWEEP_EVERY_MS = 60_000;

/**
 * Rate-limit counters in memory (one instance, no Redis), O(1) per request whatever the limit
 * (`slide`). (The library's own storage
 * keeps one timestamp per hit and scans them all on every request: slow at high limits, and
 * past ~120,000 hits in a window it throws from `Math.min(...hits)`.)
 */
export class SlidingWindowThrottlerStorage implements ThrottlerStorage {
  /** Each counter with the ttl of its throttler (a minute's and an hour's are forgotten at their own pace). */
  private readonly windows = new Map<string, { window: Window; ttl: number }>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottleOutcome> {
    const now = this.now();
    this.sweep(now);
    const id = `${throttlerName}\u0000${key}`;
    const { window, outcome } = slide(this.windows.get(id)?.window, now, ttl, limit, blockDuration);
    this.windows.set(id, { window, ttl });
    return outcome;
  }

  /** Forgets, at most once a minute, the counters nobody used for two windows of their own ttl. */
  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [id, { window, ttl }] of this.windows) {
      if (window.start + 2 * ttl <= now && window.blockedUntil <= now) this.windows.delete(id);
    }
  }

  /** Counters held (for tests). */
  get size(): number {
    return this.windows.size;
  }
}

/**
 * `slide` in Redis, atomic (one script per request): the counter is a hash, kept for two windows
 * and the block after its last use. ARGV: now (ms), ttl (ms), limit, block (ms). Returns the
 * outcome as [totalHits, timeToExpire, isBlocked (0/1), timeToBlockExpire]. Lua numbers are
 * doubles, as JavaScript's: the same arithmetic gives the same answers.
 */
export const SLIDE_SCRIPT = `
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local block = tonumber(ARGV[4])
local found = redis.call('HMGET', KEYS[1], 'start', 'current', 'previous', 'blockedUntil')
local wstart = tonumber(found[1])
if wstart ~= nil and now < wstart then now = wstart end
local start = now - (now % ttl)
local current = tonumber(found[2]) or 0
local previous = tonumber(found[3]) or 0
local blockedUntil = tonumber(found[4]) or 0
if wstart == nil then
  wstart = start
  current = 0
  previous = 0
end
if wstart ~= start then
  if start - wstart == ttl then previous = current else previous = 0 end
  current = 0
  wstart = start
end
local timeToExpire = math.ceil((start + ttl - now) / 1000)
local result
if blockedUntil <= now and math.floor(previous * (1 - (now - start) / ttl)) + current < limit then
  current = current + 1
  result = { math.floor(previous * (1 - (now - start) / ttl)) + current, timeToExpire, 0, 0 }
else
  if blockedUntil <= now then blockedUntil = now + block end
  result = { math.floor(previous * (1 - (now - start) / ttl)) + current + 1, timeToExpire, 1, math.ceil((blockedUntil - now) / 1000) }
end
redis.call('HSET', KEYS[1], 'start', string.format('%d', wstart), 'current', current, 'previous', previous, 'blockedUntil', string.format('%d', blockedUntil))
redis.call('PEXPIRE', KEYS[1], 2 * ttl + block)
return result
`;

type SlidingRedis = Redis & { slide(key: string, now: number, ttl: number, limit: number, block: number): Promise<[number, number, number, number]> };

/** After Redis failed to answer, how long an instance counts alone before asking it again. */
const REDIS_RETRY_AFTER_MS = 5_000;

/**
 * Rate-limit counters in Redis, shared by every instance (`SLIDE_SCRIPT`: the same rule as the
 * memory storage). Redis down or slow: each instance counts alone for a while (the limit holds
 * per instance — N instances let N times through — instead of not at all), with a log line at
 * most every ten seconds; a limiter must not turn an outage of its store into one of the API.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly redis: SlidingRedis;
  /** While Redis is unavailable: this instance's own counters (the limit per instance, not none). */
  private readonly local: SlidingWindowThrottlerStorage;
  private unavailableUntil = 0;
  private lastComplaint = 0;

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly now: () => number = Date.now,
  ) {
    // An answer now, or this instance counts alone: a command waits half a second at most.
    const redis = failFastRedis(url, { commandTimeout: 500 });
    redis.defineCommand('slide', { numberOfKeys: 1, lua: SLIDE_SCRIPT });
    this.redis = redis as SlidingRedis;
    this.local = new SlidingWindowThrottlerStorage(now);
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottleOutcome> {
    const now = this.now();
    if (now >= this.unavailableUntil) {
      try {
        const [totalHits, timeToExpire, blocked, timeToBlockExpire] = await this.redis.slide(`${this.prefix}${throttlerName}:${key}`, now, ttl, limit, blockDuration);
        return { totalHits, timeToExpire, isBlocked: blocked === 1, timeToBlockExpire };
      } catch (error) {
        // Not asked again for a while: a Redis that hangs would otherwise cost every request its timeout.
        this.unavailableUntil = now + REDIS_RETRY_AFTER_MS;
        if (now - this.lastComplaint >= 10_000) {
          this.lastComplaint = now;
          this.logger.warn({ message: 'rate limits counted by this instance alone: Redis did not answer', error: String(error) });
        }
      }
    }
    return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  /** At start: the first requests are counted too (a command before the connection is up would be let through). Redis down: gives up after `timeoutMs`. */
  async onModuleInit(timeoutMs = 2_000): Promise<void> {
    const redis = this.redis;
    if (redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        redis.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      redis.once('ready', done);
    });
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
