import { createKeyv as createMemoryKeyv } from '@cacheable/memory';
import { createKeyv } from '@keyv/redis';
import type { CacheModuleOptions } from '@nestjs/cache-manager';
import { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';

/** Entries the in-process cache keeps at most (statistics, reports of the month under way). */
const MEMORY_CACHE_ENTRIES = 10_000;

/**
 * Redis when configured (shared by every instance), else memory in this process. When Redis is
 * down, commands fail at once instead of queueing (`disableOfflineQueue`): a cache read then
 * misses and a write is dropped, so callers answer from the database rather than hang.
 */
export function cacheOptions(config: AppConfig): CacheModuleOptions {
  // In this process: the values are kept as they are (no JSON round trip on every hit; the cached figures are never changed in place),
  // at most MEMORY_CACHE_ENTRIES of them (the least recently used go first), and expired ones are swept every minute.
  if (!config.redis.url) return { stores: [createMemoryKeyv({ lruSize: MEMORY_CACHE_ENTRIES, checkInterval: 60_000 })], ttl: 600_000 };
  const logger = new Logger('Cache');
  let reportedAt = 0;
  const keyv = createKeyv(
    {
      url: config.redis.url,
      disableOfflineQueue: true,
      socket: { connectTimeout: 1_000, reconnectStrategy: (attempt: number) => Math.min(attempt * 200, 5_000) },
    },
    { namespace: `${config.redis.keyPrefix}cache`, throwOnConnectError: false, throwOnErrors: false, connectionTimeout: 1_000 },
  );
  // The store reports every failed reconnect: log the outage once a minute, not per attempt.
  keyv.on('error', (error: unknown) => {
    if (Date.now() - reportedAt < 60_000) return;
    reportedAt = Date.now();
    logger.warn({ message: 'cache unavailable, answering without it', error: String((error as Error)?.message ?? error) });
  });
  return { stores: [keyv], ttl: 600_000 };
}
