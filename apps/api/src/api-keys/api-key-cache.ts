import { Injectable } from '@nestjs/common';
import type { ClientTracker } from '../common/rate-limit.js';
import { sameHash, secretHash } from '../common/secret-token.js';
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
  /** Bumped by every forget and clear: a read that began before one is not kept (it may predate the change). */
  private generation = 0;

  /** The key as read less than a second ago (this process's monotonic clock), or undefined. */
  get(prefix: string): PresentedApiKey | undefined {
    const cached = this.keys.get(prefix);
    if (!cached) return undefined;
    if (performance.now() - cached.readAt < API_KEY_CACHE_MS) return cached.key;
    this.keys.delete(prefix);
    return undefined;
  }

  /** Where a read of the database begins: hand it to `set` with what it read. */
  startRead(): { generation: number; at: number } {
    return { generation: this.generation, at: performance.now() };
  }

  /** Keeps a key read since `read` began (its age counts from then), unless a key was forgotten meanwhile. */
  set(prefix: string, key: PresentedApiKey, read: { generation: number; at: number }): void {
    if (read.generation !== this.generation) return;
    this.keys.delete(prefix);
    if (this.keys.size >= API_KEY_CACHE_SIZE) this.keys.delete(this.keys.keys().next().value!);
    this.keys.set(prefix, { key, readAt: read.at });
  }

  forget(prefix: string): void {
    this.generation += 1;
    this.keys.delete(prefix);
  }

  /**
   * A `/v1` request's client for the rate limits: the key, once this instance has read it and
   * when the whole key matches (a made-up key, or one with a known prefix and a wrong secret,
   * counts on its address: nobody spends another's limit).
   */
  clientOf(authorization: string): string | null {
    const presented = authorization.replace(/^Bearer\s+/i, '');
    const prefix = prefixOf(presented);
    const key = prefix ? this.get(prefix) : undefined;
    return key && sameHash(key.secretHash, secretHash(presented)) ? `key:${prefix}` : null;
  }

  /** Forgets every key (a change that touched keys it cannot name one by one: a member removed, an organization's role changed). */
  clear(): void {
    this.generation += 1;
    this.keys.clear();
  }
}
