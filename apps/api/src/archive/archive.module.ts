import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ARCHIVE_OBJECTS, parseS3Url, S3ArchiveObjects } from './archive-objects.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { ArchiveJob } from './archive.job.js';
import { ArchiveRepository } from './archive.repository.js';
import { ArchiveService } from './archive.service.js';

@Module({ imports: [JobsModule], providers: [
    ArchiveRepository,
    ArchiveService,
    ArchiveJob,
    { provide: ARCHIVE_OBJECTS, inject: [APP_CONFIG], useFactory: (config: AppConfig) => (config.archiveS3Url ? new S3ArchiveObjects(parseS3Url(config.archiveS3Url)) : null) },
  ], exports: [ArchiveService] })
export class ArchiveModule {}
