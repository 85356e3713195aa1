'use client';

import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useI18n } from '@/lib/i18n';
import type { TokenStatsView } from '@consult-on/api-contract';

const levelColours = ['#16a34a', '#65a30d', '#eab308', '#ea580c', '#dc2626'];
const plainColour = '#1d4ed8';

/** One bar: its name under the axis and how many accounts it counts. */
export interface ChartRow {
  name: string;
  count: number;
}

type Props =
  /** Users by how much of their month they used (the usage levels' colours). */
  | { distribution: TokenStatsView['distribution'] }
  /** Any count by name (organizations per plan, say), in one colour; `label` names the chart, `series` its figures. */
  | { rows: ChartRow[]; label: string; series: string; testId?: string };

/** A bar chart of counts, described in words for screen readers (role="img" with every bar's figure). */
export function DistributionChart(props: Props) {
  const { t, nf } = useI18n();
  const rows: ChartRow[] =
    'distribution' in props
      ? [
          { name: '0–50%', count: props.distribution.under50 },
          { name: '50–80%', count: props.distribution.under80 },
          { name: '80–90%', count: props.distribution.under90 },
          { name: '90–95%', count: props.distribution.under95 },
          { name: '≥95%', count: props.distribution.over95 },
        ]
      : props.rows;
  const label = 'distribution' in props ? t('distribution') : props.label;
  const series = 'distribution' in props ? t('usersCount') : props.series;
  const testId = 'distribution' in props ? 'distribution-chart' : props.testId;
  const colours = 'distribution' in props ? levelColours : null;
  return (
    <div style={{ width: '100%', height: 240 }} data-testid={testId} role="img" aria-label={`${label}: ${rows.map((r) => `${r.name} ${nf(r.count)}`).join(', ')}`}>
      <ResponsiveContainer>
        <BarChart data={rows} margin={{ top: 10, right: 10, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
          <XAxis dataKey="name" fontSize={12} />
          <YAxis allowDecimals={false} fontSize={12} width={40} />
          <Tooltip formatter={(value) => nf(Number(value))} />
          <Bar dataKey="count" name={series} isAnimationActive={false} radius={[4, 4, 0, 0]}>
            {rows.map((row, index) => (
              <Cell key={row.name} fill={colours ? colours[index % colours.length] : plainColour} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
