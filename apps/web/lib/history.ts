/**
 * Where the history of a workspace is read: one's own account, or one's own entries and days in
 * an organization's pool (null until the signed-in user is known).
 */
export function historySource(organizationId: string | null, userId: string | null): { daily: (days: number) => string; ledger: (before: number) => string } | null {
  const page = (before: number) => `limit=20${before ? `&before=${before}` : ''}`;
  if (!organizationId) return { daily: (days) => `/api/ai-usage/daily?days=${days}`, ledger: (before) => `/api/ai-usage/history?${page(before)}` };
  if (!userId) return null;
  const base = `/api/organizations/${encodeURIComponent(organizationId)}/members/${encodeURIComponent(userId)}`;
  // A pool's series goes back at most 90 days; a period is never longer.
  return { daily: (days) => `${base}/daily?days=${Math.min(days, 90)}`, ledger: (before) => `${base}/history?${page(before)}` };
}
