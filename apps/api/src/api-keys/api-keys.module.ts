import { Module } from '@nestjs/common';
import { LlmModule } from '../llm/llm.module.js';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { ApiKeysController, OrganizationApiKeysController } from './api-keys.controller.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';

@Module({
  imports: [OrganizationsModule, LlmModule],
  controllers: [ApiKeysController, OrganizationApiKeysController],
  providers: [ApiKeysRepository, ApiKeysService, ApiKeyGuard],
  exports: [ApiKeysService, ApiKeyGuard],
})
export class ApiKeysModule {}
