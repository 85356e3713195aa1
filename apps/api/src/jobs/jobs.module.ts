import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { JobRunsRepository } from './job-runs.repository.js';
import { JobSchedulerService } from './job-scheduler.service.js';

@Module({
  imports: [ScheduleModule.forRoot()],
  providers: [JobRunsRepository, JobSchedulerService],
  exports: [JobSchedulerService],
})
export class JobsModule {}
