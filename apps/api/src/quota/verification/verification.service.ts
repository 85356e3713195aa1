import { Injectable } from '@nestjs/common';
import { VerificationRepository } from './verification.repository.js';

/** Checks the books: every balance against the sum of its ledger, buckets never negative, held tokens against open holds. */
@Injectable()
export class VerificationService {
  constructor(private readonly repository: VerificationRepository) {}

  /** Accounts whose balances differ from their ledger or hold a negative bucket. */
  async verify(userId?: string) {
    return this.repository.findUnbalancedAccounts(this.repository.db, userId);
  }
}
