import { Injectable } from '@nestjs/common';
import type { ClientTracker } from '../common/rate-limit.js';
import { prefixOf } from './api-key-rules.js';
import type { PresentedApiKey } from './api-keys.repository.js';

/** How long an instance trusts what it read of a key: a revocation or a change made on another instance holds within this. */
export const API_KEY_CACHE_MS = 1_000;
/** Keys an instance remembers at most (the oldest read go first). */
const API_KEY_CACHE_SIZE = 10_000;

/**
 * What this instance read of API keys, by prefix, for at most a second (no database round trip
 * per request). Whatever changes a key here — a revocation, new limits, its maker leaving the
 * organization — forgets it at once; every other instance reads it again within a second.
 */
@Injectable()
export class ApiKeyCache implements ClientTracker {
  private readonly keys = new Map<string, { key: PresentedApiKey; readAt: number }>();

  /** The key as read less than a second ago (this process's monotonic clock), or undefined. */
  get(prefix: string): PresentedApiKey | undefined {
    const cached = this.keys.get(prefix);
    if (!cached) return undefined;
    if (performance.now() - cached.readAt < API_KEY_CACHE_MS) return cached.key;
    this.keys.delete(prefix);
    return undefined;
  }

  set(prefix: string, key: PresentedApiKey): void {
    this.keys.delete(prefix);
    if (this.keys.size >= API_KEY_CACHE_SIZE) this.keys.delete(this.keys.keys().next().value!);
    this.keys.set(prefix, { key, readAt: performance.now() });
  }

  forget(prefix: string): void {
    this.keys.delete(prefix);
  }

  /** A `/v1` request's client for the rate limits: the key, once this instance has read it (a made-up key counts on its address). */
  clientOf(authorization: string): string | null {
    const prefix = prefixOf(authorization.replace(/^Bearer\s+/i, ''));
    return prefix && this.get(prefix) ? `key:${prefix}` : null;
  }

  /** Forgets every key (a change that touched keys it cannot name one by one: a member removed, an organization's role changed). */
  clear(): void {
    this.keys.clear();
  }
}
