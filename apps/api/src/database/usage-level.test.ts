import { levelOf, type QuotaPolicyConfig } from '@consult-on/quota-policy';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, type DatabaseHandle } from './database.js';
import { usageLevelSql } from './usage-level.js';
import { createTestDatabase } from '../../testing/test-database.js';
import { testConfig } from '../../testing/test-config.js';

let database: DatabaseHandle;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

/** Thresholds in increasing order, as the configuration requires (notice < warning < critical < block). */
const thresholds = fc
  .uniqueArray(fc.integer({ min: 1, max: 30_000 }), { minLength: 4, maxLength: 4 })
  .map((values) => values.sort((a, b) => a - b))
  .map(([noticeBasisPoints, warningBasisPoints, criticalBasisPoints, blockBasisPoints]) => ({ noticeBasisPoints: noticeBasisPoints!, warningBasisPoints: warningBasisPoints!, criticalBasisPoints: criticalBasisPoints!, blockBasisPoints: blockBasisPoints! }));

/** Usage near every boundary as well as anywhere: exact multiples are where a rule goes wrong. */
const usage = fc.oneof(
  fc.record({ consumed: fc.nat(5_000_000), capacity: fc.integer({ min: -10, max: 5_000_000 }) }),
  fc.record({ capacity: fc.integer({ min: 1, max: 1_000_000 }), basisPoints: fc.nat(30_000), offset: fc.integer({ min: -2, max: 2 }) }).map(({ capacity, basisPoints, offset }) => ({
    capacity,
    consumed: Math.max(0, Math.floor((capacity * basisPoints) / 10_000) + offset),
  })),
);

async function sqlLevels(cases: { consumed: number; capacity: number }[], policy: Parameters<typeof usageLevelSql>[2]): Promise<string[]> {
  const consumed = `{${cases.map((item) => item.consumed).join(',')}}`;
  const capacity = `{${cases.map((item) => item.capacity).join(',')}}`;
  const rows = rowsOf<{ level: string }>(
    await database.db.execute(sql`
      select ${usageLevelSql(sql`c.consumed`, sql`c.capacity`, policy)} as level
      from unnest(${consumed}::bigint[], ${capacity}::bigint[]) with ordinality as c(consumed, capacity, ord)
      order by c.ord`),
  );
  return rows.map((row) => row.level);
}

describe('usage_level in SQL (migration 0008)', () => {
  it('gives the same level as the policy’s levelOf for every usage and thresholds', async () => {
    await fc.assert(
      fc.asyncProperty(thresholds, fc.array(usage, { minLength: 1, maxLength: 100 }), async (policy, cases) => {
        const config = { ...testConfig().quota, ...policy } satisfies QuotaPolicyConfig;
        expect(await sqlLevels(cases, policy)).toEqual(cases.map((item) => levelOf(item.consumed, item.capacity, config)));
      }),
      { numRuns: 60 },
    );
  });

  it('gives the configured defaults’ levels at their boundaries', async () => {
    const policy = testConfig().quota;
    const cases = [0, 79_999, 80_000, 89_999, 90_000, 94_999, 95_000, 104_999, 105_000].map((consumed) => ({ consumed, capacity: 100_000 }));
    expect(await sqlLevels([...cases, { consumed: 0, capacity: 0 }], policy)).toEqual(['NORMAL', 'NORMAL', 'NOTICE', 'NOTICE', 'WARNING', 'WARNING', 'CRITICAL', 'CRITICAL', 'BLOCKED', 'BLOCKED']);
  });
});
