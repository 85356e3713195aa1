'use client';

import { useI18n, type Key } from '@/lib/i18n';
import type { LedgerEntryView } from '@consult-on/api-contract';

const negative = new Set(['CONSUMPTION', 'FREE_EXPIRY']);
/** Reservations move tokens into and out of "held", not out of the balance. */
const neutral = new Set(['HOLD', 'HOLD_VOID', 'HOLD_EXPIRY']);

/** Whether the entry took tokens away from the user: by its balance deltas (debt counts against), else by its kind. */
function isDebit(entry: LedgerEntryView): boolean {
  const balance = entry.freeDelta + entry.purchasedDelta - entry.overageDelta;
  return balance !== 0 ? balance < 0 : negative.has(entry.kind);
}

export function LedgerTable({ entries, showReason = false }: { entries: LedgerEntryView[]; showReason?: boolean }) {
  const { t, nf, df } = useI18n();
  if (!entries.length) return <p className="p-4 text-slate-600">{t('noEntries')}</p>;
  const signed = (n: number) => (n > 0 ? `+${nf(n)}` : n < 0 ? nf(n) : '0');
  return (
    <div className="overflow-x-auto">
      <table className="w-full min-w-[36rem] text-left text-sm" data-testid="ledger-table">
        <thead className="border-b border-slate-300 text-xs text-slate-700 uppercase">
          <tr>
            <th scope="col" className="px-2 py-2">
              {t('date')}
            </th>
            <th scope="col" className="px-2 py-2">
              {t('kind')}
            </th>
            <th scope="col" className="px-2 py-2 text-right">
              {t('amount')}
            </th>
            <th scope="col" className="px-2 py-2">
              {t('details')}
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id} className="border-b border-slate-100" data-kind={entry.kind}>
              <td className="px-2 py-2 whitespace-nowrap">{df(entry.createdAt, true)}</td>
              <td className="px-2 py-2">{t(`kind${entry.kind}` as Key) ?? entry.kind}</td>
              <td
                className={`px-2 py-2 text-right font-semibold tabular-nums ${neutral.has(entry.kind) ? 'font-normal text-slate-600' : isDebit(entry) ? 'text-red-800' : 'text-green-800'}`}
              >
                {neutral.has(entry.kind) ? `(${nf(Math.abs(entry.amountTokens))})` : isDebit(entry) ? `−${nf(Math.abs(entry.amountTokens))}` : `+${nf(Math.abs(entry.amountTokens))}`}
              </td>
              <td className="px-2 py-2 text-xs text-slate-700">
                {entry.freeDelta !== 0 && <span className="mr-2">{t('freeTokens')} {signed(entry.freeDelta)}</span>}
                {entry.purchasedDelta !== 0 && <span className="mr-2">{t('purchasedTokens')} {signed(entry.purchasedDelta)}</span>}
                {entry.overageDelta !== 0 && <span className="mr-2">{t('overage')} {signed(entry.overageDelta)}</span>}
                {showReason && entry.reason && <span className="block">{t('reason')}: {entry.reason}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
