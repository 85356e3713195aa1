import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { JobSchedulerService } from '../jobs/job-scheduler.service.js';
import { ReportsService } from './reports.service.js';

export const USAGE_REPORTS_JOB = 'usage-reports';

/** Last month's usage reports, once per cluster, early on the 1st (REPORTS_CRON, in the quota's time zone). */
@Injectable()
export class ReportsJob implements OnModuleInit {
  constructor(
    private readonly scheduler: JobSchedulerService,
    private readonly reports: ReportsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.scheduler.register({ name: USAGE_REPORTS_JOB, pattern: this.config.reportsCron, timeZone: this.config.quota.timeZone, run: () => this.reports.runMonthly() });
  }
}
