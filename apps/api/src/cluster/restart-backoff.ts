/**
 * When the primary forks a replacement for a worker that exited. A worker that ran for a while
 * and then died (a crash, an out-of-memory kill) is replaced at once; one that dies soon after
 * it started is probably failing at every start (a bad deployment, a database that refuses it),
 * so each such quick exit in a row doubles the wait, up to a ceiling: a crash loop costs one fork
 * a minute per worker, not a core.
 */
export interface RestartPolicy {
  /** A worker that lived this long exited for a reason of its own: the count of quick exits starts again. */
  stableAfterMs: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const RESTART_POLICY: RestartPolicy = { stableAfterMs: 30_000, firstDelayMs: 1_000, maxDelayMs: 60_000 };

export interface RestartDecision {
  delayMs: number;
  /** Quick exits in a row of this worker's slot, this one included; the next decision takes it back. */
  quickExitsInARow: number;
}

export function restartAfterExit(livedMs: number, quickExitsBefore: number, policy: RestartPolicy = RESTART_POLICY): RestartDecision {
  if (livedMs >= policy.stableAfterMs) return { delayMs: 0, quickExitsInARow: 0 };
  const quickExitsInARow = quickExitsBefore + 1;
  // 2^(n-1) stays finite far beyond any real count; the ceiling applies long before.
  const delayMs = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.min(quickExitsInARow - 1, 30));
  return { delayMs, quickExitsInARow };
}
