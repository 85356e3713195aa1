import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ARCHIVE_OBJECTS, S3ArchiveObjects } from './archive-objects.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { ArchiveJob } from './archive.job.js';
import { ArchiveRepository } from './archive.repository.js';
import { ArchiveService } from './archive.service.js';

@Module({ imports: [JobsModule], providers: [
    ArchiveRepository,
    ArchiveService,
    ArchiveJob,
    { provide: ARCHIVE_OBJECTS, inject: [APP_CONFIG], useFactory: (config: AppConfig) => (config.archiveS3 ? new S3ArchiveObjects(config.archiveS3) : null) },
  ], exports: [ArchiveService] })
export class ArchiveModule {}
