/**
 * Waits, when needed, until the wall clock is early in a minute. The rate limiters' window is the
 * wall clock's minute (a sliding window made of two fixed ones): requests that straddle a
 * minute's turn are counted at the previous minute's weight, so a test that expects a burst to be
 * cut at an exact count starts it early in a minute.
 */
export async function earlyInAMinute(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 30_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 100));
}
