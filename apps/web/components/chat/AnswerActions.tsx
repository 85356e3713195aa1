'use client';

import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useI18n, type Key } from '@/lib/i18n';

/**
 * Puts text on the clipboard: the Clipboard API where the page may use it, else a hidden
 * textarea and `execCommand('copy')` (a page served over plain http has no `navigator.clipboard`).
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused (no permission, document not focused): try the old way.
  }
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.setAttribute('aria-hidden', 'true');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.focus();
  area.select();
  try {
    return document.execCommand?.('copy') ?? false;
  } catch {
    return false;
  } finally {
    area.remove();
    // The copy button keeps the focus.
    focused?.focus();
  }
}

/** A copy button that says for two seconds whether it worked (also to screen readers). */
export function CopyButton({ text, label, done, className, testId }: { text: string; label: Key; done: Key; className?: string; testId?: string }) {
  const { t } = useI18n();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const copy = async () => {
    const ok = await copyText(text);
    setState(ok ? 'copied' : 'failed');
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setState('idle'), 2000);
  };
  return (
    <>
      <button type="button" className={className} onClick={() => void copy()} data-testid={testId} data-state={state}>
        {state === 'copied' ? t(done) : state === 'failed' ? t('answerCopyFailed') : t(label)}
      </button>
      <span className="sr-only" role="status">
        {state === 'copied' ? t(done) : state === 'failed' ? t('answerCopyFailed') : ''}
      </span>
    </>
  );
}

const actionClass = 'rounded-md px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-blue-700 disabled:cursor-not-allowed disabled:opacity-50';

/** Under a finished answer: copy its text (the Markdown as written), on the last answer regenerate it, then whatever the bubble adds (its receipt). */
export function AnswerActions({ text, onRegenerate, disabled, children }: { text: string; onRegenerate?: () => void; disabled?: boolean; children?: ReactNode }) {
  const { t } = useI18n();
  const hint = useId();
  return (
    <div role="group" aria-label={t('answerActionsLabel')} className="mt-1 flex flex-wrap items-center gap-1" data-testid="answer-actions">
      {text && <CopyButton text={text} label="answerCopy" done="answerCopied" className={actionClass} testId="copy-answer" />}
      {onRegenerate && (
        <>
          <button type="button" className={actionClass} onClick={onRegenerate} disabled={disabled} title={t('answerRegenerateHint')} aria-describedby={hint} data-testid="regenerate-answer">
            {t('answerRegenerate')}
          </button>
          <span id={hint} className="sr-only">
            {t('answerRegenerateHint')}
          </span>
        </>
      )}
      {children}
    </div>
  );
}

export { actionClass };
