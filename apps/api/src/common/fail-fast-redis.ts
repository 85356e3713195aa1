import { Redis, type RedisOptions } from 'ioredis';

/**
 * An ioredis client that answers now or fails: nothing queued while disconnected, no command
 * retried, a second to connect, reconnecting in the background (up to every 5 s); its errors are
 * the caller's to report (the client's own 'error' events are swallowed). For what must never
 * wait on Redis: the health probe, the rate limits.
 */
export function failFastRedis(url: string, options: RedisOptions = {}): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 500, 5_000),
    ...options,
  });
  client.on('error', () => undefined);
  return client;
}
