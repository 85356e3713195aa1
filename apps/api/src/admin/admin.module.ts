import { Module } from '@nestjs/common';
import { QuotaModule } from '../quota/quota.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { AdjustmentsController } from './adjustments.controller.js';
import { JobsController } from './jobs.controller.js';

@Module({ imports: [QuotaModule, JobsModule], controllers: [AdjustmentsController, JobsController] })
export class AdminModule {}
