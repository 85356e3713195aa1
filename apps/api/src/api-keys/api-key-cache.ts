import { Injectable } from '@nestjs/common';
import type { ClientTracker } from '../common/rate-limit.js';
import { sameHash, secretHash } from '../common/secret-token.js';
import { ReadCache } from '../common/read-cache.js';
import { prefixOf } from './api-key-rules.js';
import type { PresentedApiKey } from './api-keys.repository.js';

/** How long an instance trusts what it read of a key: a revocation or a change made on another instance holds within this. */
export const API_KEY_CACHE_MS = 1_000;
/** Keys an instance remembers at most (the oldest read go first). */
const API_KEY_CACHE_SIZE = 10_000;

/**
 * What this instance read of API keys, by prefix, for at most a second (no database round trip
 * per request). Whatever changes a key here — a revocation, new limits, its maker leaving the
 * organization — forgets it at once (`forget`; `clear` for a change that touched keys it cannot
 * name one by one: a member removed, an organization's role changed); every other instance reads
 * it again within a second.
 */
@Injectable()
export class ApiKeyCache extends ReadCache<PresentedApiKey> implements ClientTracker {
  constructor() {
    super(API_KEY_CACHE_MS, API_KEY_CACHE_SIZE);
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
}
