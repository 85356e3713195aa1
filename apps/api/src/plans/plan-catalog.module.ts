import { Module } from '@nestjs/common';
import { PlanCatalog } from './plan-catalog.js';
import { PlansRepository } from './plans.repository.js';

/** The plans as the ledger reads them (allowances at a reset); imported by the quota module. */
@Module({ providers: [PlansRepository, PlanCatalog], exports: [PlansRepository, PlanCatalog] })
export class PlanCatalogModule {}
