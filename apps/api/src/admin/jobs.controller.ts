import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../auth/auth.decorators.js';
import { NotFoundError } from '../common/errors.js';
import { JobSchedulerService } from '../jobs/job-scheduler.service.js';

class JobRunView {
  @ApiProperty() job!: string;
  @ApiProperty() tick!: string;
  @ApiProperty({ description: 'False when this tick was already run' }) ran!: boolean;
  @ApiProperty({ type: Object, nullable: true }) result!: Record<string, unknown> | null;
  @ApiProperty() durationMs!: number;
}

@ApiTags('admin')
@ApiBearerAuth()
@RequireRole('ADMIN')
@Controller('admin/jobs')
export class JobsController {
  constructor(private readonly scheduler: JobSchedulerService) {}

  /** Runs a scheduled job now (e.g. `usage-sweep`), for operators and tests. */
  @Post(':name/run')
  @HttpCode(200)
  @ApiOkResponse({ type: JobRunView })
  run(@Param('name') name: string): Promise<JobRunView> {
    if (!this.scheduler.has(name)) throw new NotFoundError();
    return this.scheduler.runNow(name);
  }
}
