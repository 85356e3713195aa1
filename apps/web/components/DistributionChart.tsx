'use client';

import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useI18n } from '@/lib/i18n';
import type { TokenStatsView } from '@consult-on/api-contract';

const colours = ['#16a34a', '#65a30d', '#eab308', '#ea580c', '#dc2626'];

export function DistributionChart({ distribution }: { distribution: TokenStatsView['distribution'] }) {
  const { t, nf } = useI18n();
  const rows = [
    { name: '0–50%', users: distribution.under50 },
    { name: '50–80%', users: distribution.under80 },
    { name: '80–90%', users: distribution.under90 },
    { name: '90–95%', users: distribution.under95 },
    { name: '≥95%', users: distribution.over95 },
  ];
  return (
    <div style={{ width: '100%', height: 240 }} data-testid="distribution-chart" role="img" aria-label={`${t('distribution')}: ${rows.map((r) => `${r.name} ${r.users}`).join(', ')}`}>
      <ResponsiveContainer>
        <BarChart data={rows} margin={{ top: 10, right: 10, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
          <XAxis dataKey="name" fontSize={12} />
          <YAxis allowDecimals={false} fontSize={12} width={40} />
          <Tooltip formatter={(value) => nf(Number(value))} />
          <Bar dataKey="users" name={t('usersCount')} isAnimationActive={false} radius={[4, 4, 0, 0]}>
            {rows.map((row, index) => (
              <Cell key={row.name} fill={colours[index]} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
