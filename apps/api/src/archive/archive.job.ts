import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { JobSchedulerService } from '../jobs/job-scheduler.service.js';
import { ArchiveService } from './archive.service.js';

export const CONVERSATION_ARCHIVE_JOB = 'conversation-archive';

/** Archives idle conversations once per cluster (ARCHIVE_CRON, in the quota's time zone). */
@Injectable()
export class ArchiveJob implements OnModuleInit {
  constructor(
    private readonly scheduler: JobSchedulerService,
    private readonly archive: ArchiveService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.scheduler.register({ name: CONVERSATION_ARCHIVE_JOB, pattern: this.config.archiveCron, timeZone: this.config.quota.timeZone, run: () => this.archive.archiveDue() });
  }
}
