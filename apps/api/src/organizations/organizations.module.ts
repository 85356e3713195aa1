import { Module } from '@nestjs/common';
import { QuotaModule } from '../quota/quota.module.js';
import { AdminOrganizationsController } from './admin-organizations.controller.js';
import { OrganizationReportsService } from './organization-reports.service.js';
import { OrganizationsController } from './organizations.controller.js';
import { OrganizationsRepository } from './organizations.repository.js';
import { OrganizationsService } from './organizations.service.js';

/** Organizations: their people, invitation links, token pool, members' limits, and reports on the pool's use. */
@Module({ imports: [QuotaModule], controllers: [OrganizationsController, AdminOrganizationsController], providers: [OrganizationsRepository, OrganizationsService, OrganizationReportsService], exports: [OrganizationsService] })
export class OrganizationsModule {}
