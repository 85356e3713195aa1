import { Injectable } from '@nestjs/common';
import { MemberUsageRepository } from '../members/member-usage.repository.js';
import { VerificationRepository } from './verification.repository.js';

/** Checks the books: every balance against the sum of its ledger, buckets never negative, held tokens against open holds. */
@Injectable()
export class VerificationService {
  constructor(
    private readonly repository: VerificationRepository,
    private readonly members: MemberUsageRepository,
  ) {}

  /** Accounts whose balances differ from their ledger or hold a negative bucket. */
  async verify(userId?: string) {
    return this.repository.findUnbalancedAccounts(this.repository.db, userId);
  }

  /** API keys whose usage differs from the ledger entries (and open holds) that name them. */
  async verifyApiKeys(keyId?: string) {
    return this.repository.findUnbalancedApiKeys(this.repository.db, keyId);
  }

  /** Members whose usage in their organization's pool differs from the pool's ledger (or its open holds) for them. */
  async verifyMembers(organizationId?: string) {
    return this.members.findUnbalanced(this.repository.db, organizationId);
  }
}
