import cluster from 'node:cluster';
import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Controller, Get, HttpStatus, Inject, Res, type OnApplicationShutdown } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Cache } from 'cache-manager';
import type { Response } from 'express';
import { isClusterWorker } from '../cluster/worker-messages.js';
import { Public } from '../auth/auth.decorators.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { HealthRepository } from './health.repository.js';
import { RedisProbe } from './redis-probe.js';

class CheckView {
  @ApiProperty({ enum: ['up', 'down'] }) status!: 'up' | 'down';
  @ApiProperty() kind!: string;
  @ApiProperty() latencyMs!: number;
}

class HealthView {
  @ApiProperty({ enum: ['ok', 'degraded', 'down'] }) status!: string;
  @ApiProperty({ type: CheckView }) database!: CheckView;
  @ApiProperty({ type: CheckView }) cache!: CheckView;
  @ApiProperty() uptimeSeconds!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'The cluster worker that answered (its number, from 1; a replaced worker gets the next one); null when one process serves' })
  worker!: number | null;
}

const CHECK_TIMEOUT_MS = 2_000;

async function timed(kind: string, check: () => Promise<unknown>): Promise<CheckView> {
  const started = performance.now();
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS).unref()),
    ]);
    return { status: 'up', kind, latencyMs: Math.round(performance.now() - started) };
  } catch {
    return { status: 'down', kind, latencyMs: Math.round(performance.now() - started) };
  }
}

/**
 * Liveness and readiness. The database is required (503 without it); the cache is not — the
 * service answers from the database when the cache is down, so that only degrades the status.
 */
@ApiTags('health')
@Controller('health')
export class HealthController implements OnApplicationShutdown {
  private readonly redis: RedisProbe | null;

  constructor(
    private readonly repository: HealthRepository,
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.redis = config.redis.url ? new RedisProbe(config.redis.url) : null;
  }

  onApplicationShutdown(): void {
    this.redis?.close();
  }

  @Public()
  @Get()
  @ApiOkResponse({ type: HealthView })
  @ApiServiceUnavailableResponse({ type: HealthView })
  async health(@Res({ passthrough: true }) response: Response): Promise<HealthView> {
    const [database, cache] = await Promise.all([
      timed(this.repository.kind, () => this.repository.ping()),
      timed(this.redis ? 'redis' : 'memory', async () => {
        if (this.redis) return this.redis.ping();
        await this.cache.set('health:probe', Date.now(), 10_000);
        await this.cache.get('health:probe');
      }),
    ]);
    const status = database.status === 'down' ? 'down' : cache.status === 'down' ? 'degraded' : 'ok';
    if (status === 'down') response.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status, database, cache, uptimeSeconds: Math.round(process.uptime()), worker: isClusterWorker() ? (cluster.worker?.id ?? null) : null };
  }
}
