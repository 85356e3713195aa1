import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { JobSchedulerService } from '../jobs/job-scheduler.service.js';
import { NotificationsService } from './notifications.service.js';

export const USAGE_SWEEP_JOB = 'usage-sweep';

/**
 * The hourly threshold sweep, registered once here. Safe to run twice for the same tick: the
 * tick is claimed in job_runs, and the notification throttle lets one notification per user
 * and level through in 24 hours whatever runs it.
 */
@Injectable()
export class UsageSweepJob implements OnModuleInit {
  constructor(
    private readonly scheduler: JobSchedulerService,
    private readonly notifications: NotificationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.scheduler.register({
      name: USAGE_SWEEP_JOB,
      pattern: this.config.notifications.sweepCron,
      timeZone: this.config.notifications.sweepTimeZone,
      run: async () => ({ notificationsCreated: await this.notifications.sweep() }),
    });
  }
}
