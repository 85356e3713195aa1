import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ApiKeyCache } from '../api-keys/api-key-cache.js';
import { SessionUserCache } from '../auth/session-user-cache.js';
import type { ReadCache } from '../common/read-cache.js';
import { CACHE_FORGET, isClusterWorker, isMessage, type CacheForgetMessage } from './worker-messages.js';

/**
 * Cluster mode: what one worker forgets of the session and key caches (a password changed, an
 * account locked or deleted, a key revoked), every worker of the instance forgets at once — the
 * primary passes it on (ClusterPrimary). One process alone: nothing to do.
 */
@Injectable()
export class CacheRelay implements OnModuleInit, OnModuleDestroy {
  private readonly caches: Map<string, ReadCache<unknown>>;

  constructor(sessions: SessionUserCache, keys: ApiKeyCache) {
    this.caches = new Map<string, ReadCache<unknown>>([
      ['sessions', sessions as ReadCache<unknown>],
      ['keys', keys as ReadCache<unknown>],
    ]);
  }

  onModuleInit(): void {
    if (!isClusterWorker()) return;
    for (const [name, cache] of this.caches) {
      cache.onForget = (key) => {
        const message: CacheForgetMessage = { type: CACHE_FORGET, cache: name, key };
        // The primary gone a moment ago: nothing to tell (the callback keeps a failed send from throwing).
        if (process.connected) process.send!(message, undefined, undefined, () => undefined);
      };
    }
    process.on('message', this.received);
  }

  onModuleDestroy(): void {
    process.off('message', this.received);
    for (const cache of this.caches.values()) cache.onForget = null;
  }

  private readonly received = (message: unknown): void => {
    if (!isMessage<CacheForgetMessage>(message, CACHE_FORGET)) return;
    this.caches.get(message.cache)?.forgetHere(message.key);
  };
}
