import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { PaymentsModule } from '../payments/payments.module.js';
import { QuotaModule } from '../quota/quota.module.js';
import { AccountController } from './account.controller.js';
import { AccountRepository } from './account.repository.js';
import { AccountService } from './account.service.js';

@Module({ imports: [AuthModule, OrganizationsModule, PaymentsModule, QuotaModule], controllers: [AccountController], providers: [AccountRepository, AccountService] })
export class AccountModule {}
