import { CSV_BOM, csvLine } from '../common/csv.js';
import type { CohortReportView, UsageReportView } from './reports.dto.js';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** A usage report as CSV, pure: section,key,tokens — the summary, each day, each weekday-hour, each model. */
export function usageReportCsv(report: UsageReportView): string {
  const { usage } = report;
  const rows: (string | number)[][] = [
    ['summary', 'tokens', usage.tokens],
    ['summary', 'turns', usage.turns],
    ['summary', 'activeDays', usage.activeDays],
    ['summary', 'avgTokensPerTurn', usage.avgTokensPerTurn],
    ['summary', 'p90TokensPerTurn', usage.p90TokensPerTurn],
    ['summary', 'forecastTokens', report.forecastTokens ?? ''],
    ['summary', 'previousMonthTokens', report.previous?.tokens ?? 0],
  ];
  for (let day = 1; day <= report.days; day += 1) rows.push(['day', `${report.month}-${String(day).padStart(2, '0')}`, usage.byDay[String(day)] ?? 0]);
  for (let slot = 0; slot < 168; slot += 1) rows.push(['weekdayHour', `${WEEKDAYS[Math.floor(slot / 24)]} ${String(slot % 24).padStart(2, '0')}:00`, usage.byHour[String(slot)] ?? 0]);
  for (const [model, tokens] of Object.entries(usage.byModel).sort((a, b) => b[1] - a[1])) rows.push(['model', model, tokens]);
  return `${CSV_BOM}section,key,tokens\r\n${rows.map((row) => csvLine(row)).join('')}`;
}

/** The cohort report as CSV, pure: section,key,value. */
export function cohortReportCsv(report: CohortReportView): string {
  const rows: (string | number)[][] = [
    ['summary', 'activeUsers', report.activeUsers],
    ['summary', 'newUsers', report.newUsers],
    ['summary', 'returningUsers', report.returningUsers],
    ['summary', 'tokens', report.tokens],
    ['summary', 'top1Share', report.top1Share],
    ['summary', 'top10Share', report.top10Share],
  ];
  for (const plan of report.plans) for (const field of ['users', 'tokens', 'p50', 'p90', 'p99'] as const) rows.push([`plan:${plan.plan}`, field, plan[field]]);
  for (const warning of report.warnings) rows.push([`level:${warning.level}`, 'users', warning.users], [`level:${warning.level}`, 'bought', warning.bought]);
  return `${CSV_BOM}section,key,value\r\n${rows.map((row) => csvLine(row)).join('')}`;
}
