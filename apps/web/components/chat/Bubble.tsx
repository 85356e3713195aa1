'use client';

import Link from 'next/link';
import { useState } from 'react';
import type { ChatMessage } from '@/lib/chat-stream';
import { useI18n } from '@/lib/i18n';
import { Receipt } from './Receipt';

const warningStyle = { WARNING: 'border-orange-500 bg-orange-50 text-orange-950', CRITICAL: 'border-red-600 bg-red-50 text-red-950', BLOCKED: 'border-red-800 bg-red-100 text-red-950' };

/** One message; a reply also shows its token warning and, folded, its receipt. */
export function Bubble({ message }: { message: ChatMessage }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const mine = message.role === 'user';
  return (
    <li className={`flex ${mine ? 'justify-end' : 'justify-start'}`} data-testid={mine ? 'user-message' : 'assistant-message'}>
      <div className={`max-w-[90%] sm:max-w-[75%]`}>
        <p className="sr-only">{mine ? t('you') : t('assistant')}</p>
        <div className={`rounded-2xl px-4 py-2 whitespace-pre-wrap ${mine ? 'bg-blue-700 text-white' : 'border border-slate-200 bg-white text-slate-900'}`}>
          {message.content || (message.streaming ? '…' : '')}
          {message.streaming && <span className="ml-1 inline-block h-4 w-2 animate-pulse bg-slate-400 align-middle" aria-hidden />}
        </div>
        {message.error && (
          <p role="alert" className="mt-1 text-sm text-red-800">
            {message.error}
          </p>
        )}
        {message.warning && (
          <div role="alert" data-testid="inline-warning" className={`mt-2 rounded-lg border-l-4 p-2 text-sm ${warningStyle[message.warning.level] ?? warningStyle.WARNING}`}>
            {message.warning.message}{' '}
            <Link href="/purchase/" className="font-semibold underline">
              {t('buyTokens')}
            </Link>
          </div>
        )}
        {!mine && message.usage && (
          <>
            <button type="button" className="mt-1 text-xs font-medium text-slate-700 underline" aria-expanded={open} onClick={() => setOpen((v) => !v)} data-testid="receipt-toggle">
              {open ? t('hideReceipt') : `${t('receipt')} · ${message.usage.chargedTokens.toLocaleString()}`}
            </button>
            {open && <Receipt usage={message.usage} />}
          </>
        )}
      </div>
    </li>
  );
}
