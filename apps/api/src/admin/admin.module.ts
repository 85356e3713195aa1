import { Module } from '@nestjs/common';
import { QuotaModule } from '../quota/quota.module.js';
import { AdjustmentsController } from './adjustments.controller.js';

@Module({ imports: [QuotaModule], controllers: [AdjustmentsController] })
export class AdminModule {}
