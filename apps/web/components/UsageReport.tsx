'use client';

import { useState } from 'react';
import { apiBlob, saveBlob } from '@/lib/api';
import { errorText } from '@/lib/error-text';
import { useI18n, type Key } from '@/lib/i18n';
import { heatmapCells, recentMonths } from '@/lib/report-months';
import type { UsageReportView } from '@consult-on/api-contract';
import { Panel } from './Panel';
import { Stat } from './Stat';
import { DailyChart } from './UsageChart';

const WEEKDAYS: Key[] = ['weekdayMon', 'weekdayTue', 'weekdayWed', 'weekdayThu', 'weekdayFri', 'weekdaySat', 'weekdaySun'];
const WEEKDAY_NAMES: Key[] = ['weekdayMonLong', 'weekdayTueLong', 'weekdayWedLong', 'weekdayThuLong', 'weekdayFriLong', 'weekdaySatLong', 'weekdaySunLong'];

/**
 * A select of this month and the eleven before (the current one marked). `value` null is this
 * month as the server counts it (no month sent: a browser clock off at a month's turn asks for no
 * month the server has not begun).
 */
export function MonthSelect({ value, onChange, id }: { value: string | null; onChange: (month: string | null) => void; id: string }) {
  const { t } = useI18n();
  const months = recentMonths(new Date());
  return (
    <div className="flex items-center gap-2">
      <label htmlFor={id} className="text-sm font-medium text-slate-700">
        {t('reportMonth')}
      </label>
      <select id={id} className="input w-auto" value={value ?? ''} onChange={(event) => onChange(event.target.value || null)} data-testid="report-month">
        {months.map((month, index) => (
          <option key={month} value={index === 0 ? '' : month}>
            {index === 0 ? `${month} · ${t('reportCurrent')}` : month}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Tokens by weekday (rows, Monday first) and hour (columns): a table whose cells darken with use. */
function Heatmap({ byHour }: { byHour: Record<string, number> }) {
  const { t, nf } = useI18n();
  const { cells, peak } = heatmapCells(byHour);
  return (
    // Scrolls sideways on a phone: focusable, so a keyboard can scroll it too.
    <div className="overflow-x-auto" role="region" aria-label={t('reportHeatmap')} tabIndex={0} data-testid="report-heatmap">
      <table className="border-separate border-spacing-0.5 text-[10px] text-slate-600">
        <caption className="sr-only">{t('reportHeatmap')}</caption>
        <thead>
          <tr>
            <th scope="col" className="w-6" />
            {Array.from({ length: 24 }, (_, hour) => (
              <th key={hour} scope="col" className="w-5 font-normal">
                {hour % 3 === 0 ? hour : ''}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {cells.map((row, day) => (
            <tr key={day}>
              <th scope="row" className="pr-1 text-right font-medium">
                {t(WEEKDAYS[day]!)}
              </th>
              {row.map((tokens, hour) => {
                const label = t('reportHeatmapCell', { day: t(WEEKDAY_NAMES[day]!), hour, tokens: nf(tokens) });
                const strength = peak > 0 ? tokens / peak : 0;
                return (
                  <td key={hour} title={label} className="h-5 w-5 rounded-sm" style={{ backgroundColor: tokens > 0 ? `rgba(37, 99, 235, ${0.15 + 0.85 * strength})` : '#f1f5f9' }}>
                    <span className="sr-only">{label}</span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The report's file: CSV from the API (when it has one), or the JSON the page already holds. */
function Downloads({ report, csvPath }: { report: UsageReportView; csvPath?: string }) {
  const { t } = useI18n();
  const [failed, setFailed] = useState<string | null>(null);
  const csv = async () => {
    setFailed(null);
    if (!csvPath) return;
    try {
      saveBlob(await apiBlob(csvPath), `consult-on-usage-${report.month}.csv`);
    } catch (error) {
      setFailed(errorText(error, t));
    }
  };
  const json = () => saveBlob(new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' }), `consult-on-usage-${report.month}.json`);
  return (
    <div className="flex flex-wrap items-center gap-2">
      {csvPath && (
        <button type="button" className="btn btn-secondary" onClick={() => void csv()} data-testid="report-csv">
          {t('reportDownloadCsv')}
        </button>
      )}
      <button type="button" className="btn btn-secondary" onClick={json} data-testid="report-json">
        {t('reportDownloadJson')}
      </button>
      {failed && (
        <span role="alert" className="text-sm text-red-800">
          {failed}
        </span>
      )}
    </div>
  );
}

/** A month's usage report: figures, findings, tokens by day, the weekday-hour heatmap and the models. */
export function UsageReport({ report, csvPath }: { report: UsageReportView; csvPath?: string }) {
  const { t, nf } = useI18n();
  const { usage } = report;
  let cumulative = 0;
  const rows = Array.from({ length: report.days }, (_, index) => {
    const tokens = usage.byDay[String(index + 1)] ?? 0;
    cumulative += tokens;
    return { day: `${report.month}-${String(index + 1).padStart(2, '0')}`, tokens, cumulative };
  });
  const models = Object.entries(usage.byModel).sort((a, b) => b[1] - a[1]);
  const change = report.change === null ? '—' : `${report.change >= 0 ? '+' : '−'}${Math.round(Math.abs(report.change) * 100)}%`;
  return (
    <div className="space-y-4" data-testid="usage-report">
      <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
        <Stat label={t('reportTokens')} value={nf(usage.tokens)} testId="report-tokens" />
        <Stat label={t('reportTurns')} value={nf(usage.turns)} />
        <Stat label={t('reportActiveDays')} value={nf(usage.activeDays)} />
        <Stat label={report.current ? t('reportForecast') : t('reportChange')} value={report.current ? (report.forecastTokens === null ? '—' : nf(report.forecastTokens)) : change} />
        <Stat label={t('reportAvgTurn')} value={nf(usage.avgTokensPerTurn)} />
        <Stat label={t('reportP90Turn')} value={nf(usage.p90TokensPerTurn)} />
        {report.current && <Stat label={t('reportChange')} value={change} />}
      </div>
      <Panel id="report-findings" title={t('reportFindings')}>
        <ul className="list-disc space-y-1 pl-5 text-sm" data-testid="report-findings">
          {report.findings.map((finding) => (
            <li key={finding}>{finding}</li>
          ))}
        </ul>
      </Panel>
      {usage.turns > 0 && (
        <>
          <Panel id="report-days" title={t('reportByDay')} className="min-w-0">
            <DailyChart rows={rows} height={240} label={t('reportByDay')} />
          </Panel>
          <div className="grid min-w-0 gap-4 lg:grid-cols-[2fr_1fr]">
            <Panel id="report-hours" title={t('reportHeatmap')} className="min-w-0">
              <p className="mb-2 text-xs text-slate-600">{t('reportHeatmapHint')}</p>
              <Heatmap byHour={usage.byHour} />
            </Panel>
            <Panel id="report-models" title={t('reportByModel')} className="min-w-0">
              <ul className="space-y-2 text-sm" data-testid="report-models">
                {models.map(([model, tokens]) => (
                  <li key={model}>
                    <div className="flex justify-between gap-2">
                      <span className="font-medium break-all">{model}</span>
                      <span className="tabular-nums">
                        {nf(tokens)} · {Math.round((tokens / Math.max(1, usage.tokens)) * 100)}%
                      </span>
                    </div>
                    <div className="mt-1 h-2 rounded bg-slate-100">
                      <div className="h-2 rounded bg-blue-600" style={{ width: `${(tokens / Math.max(1, usage.tokens)) * 100}%` }} />
                    </div>
                  </li>
                ))}
              </ul>
            </Panel>
          </div>
        </>
      )}
      <Downloads report={report} csvPath={csvPath} />
    </div>
  );
}
