import { Module } from '@nestjs/common';
import { OrganizationsController } from './organizations.controller.js';
import { OrganizationsRepository } from './organizations.repository.js';
import { OrganizationsService } from './organizations.service.js';

/** Organizations: their people and invitation links. (The token pool is the next step.) */
@Module({ controllers: [OrganizationsController], providers: [OrganizationsRepository, OrganizationsService], exports: [OrganizationsService] })
export class OrganizationsModule {}
