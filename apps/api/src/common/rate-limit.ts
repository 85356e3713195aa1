import { Injectable, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerModuleOptions, type ThrottlerStorage } from '@nestjs/throttler';
import type { AppConfig } from '../config/app-config.js';

const AUTH_RATE_LIMIT = 'authRateLimit';
const REGISTER_RATE_LIMIT = 'registerRateLimit';

/** Routes that take a password: limited much more tightly, per client address, against brute force. */
export const AuthRateLimit = () => SetMetadata(AUTH_RATE_LIMIT, true);
/** Creating an account: each one comes with a free allowance, so an address may create only a few an hour. */
export const RegisterRateLimit = () => SetMetadata(REGISTER_RATE_LIMIT, true);

const marked = (key: string) => (context: ExecutionContext) => !Reflect.getMetadata(key, context.getHandler());

/**
 * Counts each limit per client address across all the routes it applies to (the library's own
 * key is per route, so an address had the whole limit again on every route).
 */
@Injectable()
export class ClientRateLimitGuard extends ThrottlerGuard {
  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }
}

export function throttlerOptions(config: AppConfig): ThrottlerModuleOptions {
  return {
    storage: new SlidingWindowThrottlerStorage(),
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

interface Window {
  /** Start of the current fixed window (a multiple of the ttl). */
  start: number;
  current: number;
  /** Hits of the window before, when it was the one just before `start`. */
  previous: number;
  blockedUntil: number;
}

/**
 * Rate-limit counters in memory, O(1) per request whatever the limit: a sliding window
 * approximated from two fixed ones — the hits of the current window plus those of the previous
 * window, weighted by the share of it the sliding window still covers. (The library's own storage
 * keeps one timestamp per hit and scans them all on every request: slow at high limits, and
 * past ~120,000 hits in a window it throws from `Math.min(...hits)`.)
 */
export class SlidingWindowThrottlerStorage implements ThrottlerStorage {
  private readonly windows = new Map<string, Window>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string) {
    const now = this.now();
    this.sweep(now, ttl);
    const id = `${throttlerName}\u0000${key}`;
    const start = now - (now % ttl);
    let window = this.windows.get(id);
    if (!window) {
      window = { start, current: 0, previous: 0, blockedUntil: 0 };
      this.windows.set(id, window);
    } else if (window.start !== start) {
      window.previous = start - window.start === ttl ? window.current : 0;
      window.current = 0;
      window.start = start;
    }
    const timeToExpire = Math.ceil((start + ttl - now) / 1_000);
    const counted = () => Math.floor(window.previous * (1 - (now - start) / ttl)) + window.current;
    if (window.blockedUntil <= now && counted() < limit) {
      window.current += 1;
      return { totalHits: counted(), timeToExpire, isBlocked: false, timeToBlockExpire: 0 };
    }
    if (window.blockedUntil <= now) window.blockedUntil = now + blockDuration;
    return { totalHits: counted() + 1, timeToExpire, isBlocked: true, timeToBlockExpire: Math.ceil((window.blockedUntil - now) / 1_000) };
  }

  /** Forgets, at most once per ttl, the counters nobody used for two windows. */
  private sweep(now: number, ttl: number): void {
    if (now - this.lastSweep < ttl) return;
    this.lastSweep = now;
    for (const [id, window] of this.windows) {
      if (window.start + 2 * ttl <= now && window.blockedUntil <= now) this.windows.delete(id);
    }
  }

  /** Counters held (for tests). */
  get size(): number {
    return this.windows.size;
  }
}
