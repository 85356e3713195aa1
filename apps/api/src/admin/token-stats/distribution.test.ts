import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, type DatabaseHandle } from '../../database/database.js';
import { createTestDatabase } from '../../../testing/test-database.js';
import { usageTwentiethSql } from '../../database/usage-level.js';
import { bandOfTwentieth, distributionBand } from './distribution.js';

let database: DatabaseHandle;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

/** Usage near every band's boundary as well as anywhere (and none, or a negative, capacity). */
const usage = fc.oneof(
  fc.record({ consumed: fc.nat(50_000_000), capacity: fc.integer({ min: -10, max: 50_000_000 }) }),
  fc.record({ capacity: fc.integer({ min: 1, max: 10_000_000 }), basisPoints: fc.constantFrom(0, 4_999, 5_000, 7_999, 8_000, 8_999, 9_000, 9_499, 9_500, 10_000, 10_500, 30_000), offset: fc.integer({ min: -2, max: 2 }) }).map(
    ({ capacity, basisPoints, offset }) => ({ capacity, consumed: Math.max(0, Math.floor((capacity * basisPoints) / 10_000) + offset) }),
  ),
);

describe('the usage distribution in SQL', () => {
  it('puts every usage in the same band as distributionBand', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(usage, { minLength: 1, maxLength: 200 }), async (cases) => {
        const rows = rowsOf<{ twentieth: number }>(
          await database.db.execute(sql`
            select ${usageTwentiethSql(sql`c.consumed`, sql`c.capacity`)}::int as twentieth
            from unnest(${`{${cases.map((item) => item.consumed).join(',')}}`}::bigint[], ${`{${cases.map((item) => item.capacity).join(',')}}`}::bigint[]) with ordinality as c(consumed, capacity, ord)
            order by c.ord`),
        );
        expect(rows.map((row) => bandOfTwentieth(Number(row.twentieth)))).toEqual(cases.map((item) => distributionBand(item.consumed, item.capacity)));
      }),
      { numRuns: 50 },
    );
  });

  it('draws the bands at 50, 80, 90 and 95 %', () => {
    expect([4_999, 5_000, 7_999, 8_000, 8_999, 9_000, 9_499, 9_500, 12_000].map((used) => distributionBand(used, 10_000))).toEqual([
      'under50', 'under80', 'under80', 'under90', 'under90', 'under95', 'under95', 'over95', 'over95',
    ]);
    expect([distributionBand(0, 0), distributionBand(1, 0), distributionBand(0, -5)]).toEqual(['under50', 'over95', 'under50']);
  });
});
