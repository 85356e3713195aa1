import { describe, expect, it } from 'vitest';
import { heatmapCells, recentMonths } from './report-months';

describe('report months and heatmap', () => {
  it('lists this month in Seoul and the ones before, across a year', () => {
    // 15:30 UTC on 31 December is already January in Seoul.
    expect(recentMonths(new Date('2026-12-31T15:30:00Z'), 3)).toEqual(['2027-01', '2026-12', '2026-11']);
    expect(recentMonths(new Date('2026-02-10T00:00:00Z'), 3)).toEqual(['2026-02', '2026-01', '2025-12']);
  });

  it('lays the weekday-hour tokens out Monday first', () => {
    const { cells, peak } = heatmapCells({ '0': 5, '38': 12, '167': 3 });
    expect(cells).toHaveLength(7);
    expect(cells[0]![0]).toBe(5);
    expect(cells[1]![14]).toBe(12);
    expect(cells[6]![23]).toBe(3);
    expect(peak).toBe(12);
  });
});
