import type { INestApplicationContext } from '@nestjs/common';
import { AccountsService } from '../src/quota/accounts/accounts.service.js';
import { HoldsService, type HoldView, type TurnReservation } from '../src/quota/holds/holds.service.js';
import type { Idempotency } from '../src/quota/ledger/ledger-writer.js';
import { VerificationService } from '../src/quota/verification/verification.service.js';

/**
 * The quota services as tests drive them, under the names the tests use, plus what exists only
 * for tests: `reserve` (a hold without its account) and `settleFromReservation` (the planned,
 * one-statement settlement without attached writes).
 */
export function ledgerHarness(services: { holds: HoldsService; accounts: AccountsService; verification: VerificationService }) {
  const { holds, accounts, verification } = services;
  return {
    ...services,
    usage: accounts.usage.bind(accounts),
    credit: accounts.credit.bind(accounts),
    debit: accounts.debit.bind(accounts),
    setUsagePercent: accounts.setUsagePercent.bind(accounts),
    resetStaleAccounts: accounts.resetStaleAccounts.bind(accounts),
    openAccount: accounts.openAccount.bind(accounts),
    reserveWithAccount: holds.reserveWithAccount.bind(holds),
    settle: holds.settle.bind(holds),
    voidHold: holds.voidHold.bind(holds),
    expireHolds: holds.expireHolds.bind(holds),
    verify: verification.verify.bind(verification),
    async reserve(userId: string, request: { tokens: number; minimumTokens?: number; purpose: string }, idempotency: Idempotency | null = null): Promise<HoldView> {
      return (await holds.reserveWithAccount(userId, request, idempotency)).hold;
    },
    async settleFromReservation(reservation: TurnReservation, consumedTokens: number, metadata: Record<string, unknown> = {}) {
      const planned = holds.planSettlement(reservation, consumedTokens, metadata);
      return planned ? holds.settlePlanned(planned) : null;
    },
  };
}

export type LedgerHarness = ReturnType<typeof ledgerHarness>;

/** The harness over a running application's own services. */
export function appLedger(app: INestApplicationContext): LedgerHarness {
  return ledgerHarness({ holds: app.get(HoldsService), accounts: app.get(AccountsService), verification: app.get(VerificationService) });
}
