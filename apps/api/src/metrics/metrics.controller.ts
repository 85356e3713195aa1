import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { Public } from '../auth/auth.decorators.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { NotFoundError, UnauthorizedError } from '../common/errors.js';
import { MetricsService } from './metrics.service.js';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Prometheus scrape endpoint. Open in development; with METRICS_TOKEN it needs
 * `Authorization: Bearer <token>`, and in production it is off unless a token is set.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() response: Response): Promise<void> {
    const token = this.config.metricsToken;
    if (!token && this.config.isProduction) throw new NotFoundError();
    if (token && !sameSecret(authorization ?? '', `Bearer ${token}`)) throw new UnauthorizedError();
    const { contentType, text } = await this.metrics.scrape();
    response.setHeader('content-type', contentType);
    response.end(text);
  }
}
