import { describe, expect, it } from 'vitest';
import { RESTART_POLICY, restartAfterExit } from './restart-backoff.js';

describe('restartAfterExit', () => {
  it('replaces a worker that had run for a while at once, and forgets earlier quick exits', () => {
    expect(restartAfterExit(RESTART_POLICY.stableAfterMs, 0)).toEqual({ delayMs: 0, quickExitsInARow: 0 });
    expect(restartAfterExit(3_600_000, 7)).toEqual({ delayMs: 0, quickExitsInARow: 0 });
  });

  it('waits 1 s after a first quick exit, then doubles with each one in a row', () => {
    const delays: number[] = [];
    let quickExits = 0;
    for (let exit = 0; exit < 6; exit += 1) {
      const decision = restartAfterExit(500, quickExits);
      delays.push(decision.delayMs);
      quickExits = decision.quickExitsInARow;
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000]);
    expect(quickExits).toBe(6);
  });

  it('counts an exit just under the stable age as quick', () => {
    expect(restartAfterExit(RESTART_POLICY.stableAfterMs - 1, 0)).toEqual({ delayMs: 1_000, quickExitsInARow: 1 });
  });

  it('never waits longer than the ceiling, however long the crash loop', () => {
    expect(restartAfterExit(0, 6).delayMs).toBe(RESTART_POLICY.maxDelayMs);
    expect(restartAfterExit(0, 10_000)).toEqual({ delayMs: RESTART_POLICY.maxDelayMs, quickExitsInARow: 10_001 });
  });

  it('follows the policy it is given', () => {
    const policy = { stableAfterMs: 100, firstDelayMs: 10, maxDelayMs: 25 };
    expect(restartAfterExit(99, 0, policy)).toEqual({ delayMs: 10, quickExitsInARow: 1 });
    expect(restartAfterExit(99, 1, policy)).toEqual({ delayMs: 20, quickExitsInARow: 2 });
    expect(restartAfterExit(99, 2, policy)).toEqual({ delayMs: 25, quickExitsInARow: 3 });
    expect(restartAfterExit(100, 2, policy)).toEqual({ delayMs: 0, quickExitsInARow: 0 });
  });
});
