import { Global, Module } from '@nestjs/common';
import { REFUSAL_COUNTER } from '../common/refusal-counter.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsRepository } from './metrics.repository.js';
import { MetricsService } from './metrics.service.js';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsRepository, MetricsService, { provide: REFUSAL_COUNTER, useExisting: MetricsService }],
  exports: [MetricsService, REFUSAL_COUNTER],
})
export class MetricsModule {}
