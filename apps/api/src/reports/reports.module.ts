import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { ReportsController } from './reports.controller.js';
import { ReportsJob } from './reports.job.js';
import { ReportReadsRepository } from './report-reads.repository.js';
import { ReportsRepository } from './reports.repository.js';
import { ReportsService } from './reports.service.js';

@Module({ imports: [JobsModule, OrganizationsModule], controllers: [ReportsController], providers: [ReportsRepository, ReportReadsRepository, ReportsService, ReportsJob], exports: [ReportsService] })
export class ReportsModule {}
