import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { ArchiveJob } from './archive.job.js';
import { ArchiveRepository } from './archive.repository.js';
import { ArchiveService } from './archive.service.js';

@Module({ imports: [JobsModule], providers: [ArchiveRepository, ArchiveService, ArchiveJob], exports: [ArchiveService] })
export class ArchiveModule {}
