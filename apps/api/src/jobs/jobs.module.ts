import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { JobSchedulerService } from './job-scheduler.service.js';

@Module({
  imports: [ScheduleModule.forRoot()],
  providers: [JobSchedulerService],
  exports: [JobSchedulerService],
})
export class JobsModule {}
