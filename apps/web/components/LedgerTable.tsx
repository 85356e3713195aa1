'use client';

import Link from 'next/link';
import type { ReactNode } from 'react';
import { TableHead } from '@/components/TableHead';
import { useI18n, type Key } from '@/lib/i18n';
import type { LedgerEntryView } from '@consult-on/api-contract';

/** Every kind of entry the API sends has its label: a kind without one does not compile. */
type KindKey = `usageKind${LedgerEntryView['kind']}` & Key;

const negative = new Set(['CONSUMPTION', 'FREE_EXPIRY']);
/** Tokens set aside while an answer is written move into and out of "held", not out of the balance. */
export const HOLD_KINDS = new Set(['HOLD', 'HOLD_VOID', 'HOLD_EXPIRY']);

/** Whether the entry took tokens away from the user: by its balance deltas (debt counts against), else by its kind. */
function isDebit(entry: LedgerEntryView): boolean {
  const balance = entry.freeDelta + entry.purchasedDelta - entry.overageDelta;
  return balance !== 0 ? balance < 0 : negative.has(entry.kind);
}

/** Whether the entry was a chat turn's whose conversation has since been deleted. */
function conversationDeleted(entry: LedgerEntryView): boolean {
  return !entry.conversationId && typeof entry.metadata?.conversationId === 'string';
}

/**
 * Ledger entries in plain words: a table from the md breakpoint on, cards below it (no sideways
 * scrolling on a phone). On the user's own history a turn's entry links to its conversation while that exists.
 */
export function LedgerTable({
  entries,
  showReason = false,
  showMembers = false,
  linkConversations = false,
  empty,
}: {
  entries: LedgerEntryView[];
  /** An organization's pool: say whose turn each entry was. */
  showMembers?: boolean;
  showReason?: boolean;
  /** Link a turn's entry to its conversation: only on the user's own history (an admin cannot open it). */
  linkConversations?: boolean;
  empty?: ReactNode;
}) {
  const { t, nf, df } = useI18n();
  if (!entries.length) return <>{empty ?? <p className="p-4 text-slate-600">{t('noEntries')}</p>}</>;
  const signed = (n: number) => (n > 0 ? `+${nf(n)}` : n < 0 ? nf(n) : '0');
  const kindOf = (entry: LedgerEntryView) => t(`usageKind${entry.kind}` satisfies KindKey);
  const amountClass = (entry: LedgerEntryView) =>
    `font-semibold tabular-nums ${HOLD_KINDS.has(entry.kind) ? 'font-normal text-slate-600' : isDebit(entry) ? 'text-red-800' : 'text-green-800'}`;
  const amountOf = (entry: LedgerEntryView) =>
    HOLD_KINDS.has(entry.kind) ? `(${nf(Math.abs(entry.amountTokens))})` : isDebit(entry) ? `−${nf(Math.abs(entry.amountTokens))}` : `+${nf(Math.abs(entry.amountTokens))}`;
  const details = (entry: LedgerEntryView) => (
    <>
      {entry.freeDelta !== 0 && <span className="mr-2 inline-block">{t('freeTokens')} {signed(entry.freeDelta)}</span>}
      {entry.purchasedDelta !== 0 && <span className="mr-2 inline-block">{t('purchasedTokens')} {signed(entry.purchasedDelta)}</span>}
      {entry.overageDelta !== 0 && <span className="mr-2 inline-block">{t('overage')} {signed(entry.overageDelta)}</span>}
      {showReason && entry.reason && <span className="block break-words">{t('reason')}: {entry.reason}</span>}
      {showMembers && entry.memberEmail && (
        <span className="block break-all" data-testid="ledger-member">
          {t('ledgerMember', { email: entry.memberEmail })}
        </span>
      )}
    </>
  );
  const conversation = (entry: LedgerEntryView) =>
    !linkConversations ? null : entry.conversationId ? (
      <Link href={`/chat/?c=${encodeURIComponent(entry.conversationId)}`} className="text-blue-800 underline underline-offset-2 hover:text-blue-950" data-testid="ledger-conversation-link">
        {t('usageOpenConversation')}
      </Link>
    ) : conversationDeleted(entry) ? (
      <span className="text-slate-500">{t('usageConversationDeleted')}</span>
    ) : null;
  return (
    <>
      <table className="hidden w-full text-left text-sm md:table" data-testid="ledger-table">
        <TableHead columns={[{ label: t('date') }, { label: t('kind') }, { label: t('amount'), numeric: true }, { label: t('details') }]} />
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id} className="border-b border-slate-100" data-kind={entry.kind}>
              <td className="px-2 py-2 whitespace-nowrap">{df(entry.createdAt, true)}</td>
              <td className="px-2 py-2">
                <span className="block">{kindOf(entry)}</span>
                <span className="block text-xs">{conversation(entry)}</span>
              </td>
              <td className={`px-2 py-2 text-right ${amountClass(entry)}`}>{amountOf(entry)}</td>
              <td className="px-2 py-2 text-xs text-slate-700">{details(entry)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ul className="divide-y divide-slate-100 md:hidden" data-testid="ledger-cards">
        {entries.map((entry) => (
          <li key={entry.id} className="min-w-0 py-3" data-kind={entry.kind}>
            <div className="flex items-baseline justify-between gap-3">
              <span className="min-w-0 font-medium break-words">{kindOf(entry)}</span>
              <span className={`shrink-0 ${amountClass(entry)}`}>{amountOf(entry)}</span>
            </div>
            <div className="mt-0.5 flex flex-wrap items-baseline justify-between gap-x-3 text-xs text-slate-600">
              <span>{df(entry.createdAt, true)}</span>
              {conversation(entry)}
            </div>
            <div className="mt-1 text-xs break-words text-slate-700">{details(entry)}</div>
          </li>
        ))}
      </ul>
    </>
  );
}
