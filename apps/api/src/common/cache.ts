import KeyvRedis from '@keyv/redis';
import type { CacheModuleOptions } from '@nestjs/cache-manager';
import { Logger } from '@nestjs/common';
import { Keyv } from 'keyv';
import type { AppConfig } from '../config/app-config.js';

/** Redis when configured (shared by every instance), else memory in this process. */
export function cacheOptions(config: AppConfig): CacheModuleOptions {
  if (!config.redis.url) return { stores: [new Keyv()], ttl: 600_000 };
  const logger = new Logger('Cache');
  let reported = false;
  const store = new KeyvRedis(config.redis.url, { throwOnConnectError: false, connectionTimeout: 2_000 });
  const keyv = new Keyv({ store, namespace: `${config.redis.keyPrefix}cache`, useKeyPrefix: false });
  // Report a lost connection once, not per request; the store reconnects by itself.
  keyv.on('error', (error: unknown) => {
    if (reported) return;
    reported = true;
    logger.warn({ message: 'cache unavailable, answering without it', error: String(error) });
  });
  return { stores: [keyv], ttl: 600_000 };
}
