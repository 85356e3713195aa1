'use client';

import { Bar, CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useI18n } from '@/lib/i18n';
import type { UsageView } from '@consult-on/api-contract';

export interface DayPoint {
  day: string; // YYYY-MM-DD
  tokens: number;
}

interface Row {
  day: string;
  tokens?: number;
  cumulative?: number;
  projected?: number;
}

const DAY = 86_400_000;

function dayKey(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

/**
 * Daily usage bars for the current period, the cumulative line, and the forecast: the cumulative
 * figure projected at the recent burn rate until the next reset, against the 100 % line.
 */
export function buildRows(days: DayPoint[], usage: UsageView): Row[] {
  const tz = usage.timeZone || 'Asia/Seoul';
  const start = new Date(usage.periodStart);
  const reset = new Date(usage.nextResetAt);
  const today = dayKey(new Date(), tz);
  const byDay = new Map(days.map((d) => [d.day, d.tokens]));
  const rows: Row[] = days.filter((d) => d.day < dayKey(start, tz)).map((d) => ({ day: d.day, tokens: d.tokens }));
  // Usage carried in (overage from last month, test settings) that is not in the daily figures
  const inPeriod = days.filter((d) => d.day >= dayKey(start, tz)).reduce((sum, d) => sum + d.tokens, 0);
  let cumulative = Math.max(0, usage.usedTokens - inPeriod);
  let projected: number | undefined;
  for (let time = start.getTime() + DAY / 2; time < reset.getTime(); time += DAY) {
    const key = dayKey(new Date(time), tz);
    if (rows.length && rows[rows.length - 1].day >= key) continue;
    if (key <= today) {
      const tokens = byDay.get(key) ?? 0;
      cumulative += tokens;
      const row: Row = { day: key, tokens, cumulative };
      if (key === today) {
        projected = usage.usedTokens;
        row.projected = projected;
        row.cumulative = usage.usedTokens;
      }
      rows.push(row);
    } else {
      projected = (projected ?? usage.usedTokens) + Math.max(0, usage.forecast.burnRatePerDay);
      rows.push({ day: key, projected: Math.round(projected) });
    }
  }
  return rows;
}

/** A plain daily series (one member's, say) with its running total over the days shown: no period, no forecast. */
export function seriesRows(days: DayPoint[]): Row[] {
  let cumulative = 0;
  return days.map((point) => {
    cumulative += point.tokens;
    return { day: point.day, tokens: point.tokens, cumulative };
  });
}

export function DailyChart({ rows, capacity, height = 280, label }: { rows: Row[]; capacity?: number; height?: number; label?: string }) {
  const { t, nf } = useI18n();
  const peak = Math.max(0, ...rows.map((row) => Math.max(row.cumulative ?? 0, row.projected ?? 0)));
  // The 100 % line only when the curve comes near it; otherwise it would flatten the chart.
  const showCapacity = !!capacity && peak >= capacity * 0.5;
  const total = rows.reduce((sum, row) => sum + (row.tokens ?? 0), 0);
  return (
    <div style={{ width: '100%', height }} data-testid="daily-chart" role="img" aria-label={`${label ?? t('dailyUsage')}: ${rows.filter((r) => r.tokens !== undefined).length} days, ${nf(total)} tokens`}>
      <ResponsiveContainer>
        <ComposedChart data={rows} margin={{ top: 10, right: 10, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
          <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} fontSize={11} minTickGap={12} />
          <YAxis yAxisId="daily" fontSize={11} width={56} tickFormatter={(v: number) => nf(v)} />
          <YAxis yAxisId="total" orientation="right" fontSize={11} width={64} tickFormatter={(v: number) => nf(v)} />
          <Tooltip formatter={(value) => nf(Number(value))} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Bar yAxisId="daily" dataKey="tokens" name={t('dailyUsage')} fill="#2563eb" radius={[3, 3, 0, 0]} isAnimationActive={false} />
          <Line yAxisId="total" dataKey="cumulative" name={t('cumulative')} stroke="#0f172a" dot={false} strokeWidth={2} isAnimationActive={false} />
          {rows.some((row) => row.projected !== undefined) && (
            <Line yAxisId="total" dataKey="projected" name={t('projected')} stroke="#ea580c" strokeDasharray="6 4" dot={false} strokeWidth={2} isAnimationActive={false} />
          )}
          {showCapacity ? <ReferenceLine yAxisId="total" y={capacity} ifOverflow="extendDomain" stroke="#dc2626" strokeDasharray="2 2" label={{ value: t('capacity'), fontSize: 11, fill: '#b91c1c', position: 'insideTopLeft' }} /> : null}
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
