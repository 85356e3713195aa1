import type { Redis } from 'ioredis';
import { failFastRedis } from '../common/fail-fast-redis.js';

/**
 * A PING to the configured Redis for /health. The cache itself never reports an outage (a
 * failed read is a miss), so readiness asks Redis directly; the probe fails fast, never queues.
 */
export class RedisProbe {
  private client: Redis | null;

  constructor(private readonly url: string) {
    this.client = this.connect();
  }

  async ping(): Promise<void> {
    this.client ??= this.connect();
    if (this.client.status !== 'ready') await this.ready(this.client, 1_000);
    const reply = await this.client.ping();
    if (reply !== 'PONG') throw new Error(`unexpected reply ${reply}`);
  }

  close(): void {
    this.client?.disconnect();
    this.client = null;
  }

  private ready(client: Redis, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        client.off('ready', onReady);
        reject(new Error('redis not ready'));
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      client.once('ready', onReady);
    });
  }

  private connect(): Redis {
    return failFastRedis(this.url);
  }
}
