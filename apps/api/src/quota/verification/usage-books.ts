/** A limit's usage (a member's in a pool, an API key's) as stored and as its ledger entries and open holds add up. */
export interface UsageBooks {
  heldTokens: number;
  ledgerHeldTokens: number;
  openHoldTokens: number;
  openHolds: number;
  openHoldCount: number;
  consumedTokens: number;
  ledgerConsumedTokens: number;
}

/** Where a limit's stored usage and its books differ, in words; empty when they agree. */
export function usageProblems(row: UsageBooks): string[] {
  const problems: string[] = [];
  if (row.heldTokens !== row.ledgerHeldTokens) problems.push(`held: usage ${row.heldTokens} ≠ Σ ledger ${row.ledgerHeldTokens}`);
  if (row.heldTokens !== row.openHoldTokens) problems.push(`held ${row.heldTokens} ≠ open holds ${row.openHoldTokens}`);
  if (row.openHolds !== row.openHoldCount) problems.push(`turns in flight ${row.openHolds} ≠ open holds ${row.openHoldCount}`);
  if (row.consumedTokens !== row.ledgerConsumedTokens) problems.push(`consumed: usage ${row.consumedTokens} ≠ Σ ledger ${row.ledgerConsumedTokens}`);
  return problems;
}
