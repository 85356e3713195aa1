import { Module } from '@nestjs/common';
import { ArchiveModule } from '../archive/archive.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { PaymentsModule } from '../payments/payments.module.js';
import { QuotaModule } from '../quota/quota.module.js';
import { AccountController } from './account.controller.js';
import { AccountRepository } from './account.repository.js';
import { AccountService } from './account.service.js';

@Module({ imports: [AuthModule, OrganizationsModule, PaymentsModule, QuotaModule, ArchiveModule], controllers: [AccountController], providers: [AccountRepository, AccountService] })
export class AccountModule {}
