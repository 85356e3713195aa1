'use client';

import { useRef, type ReactNode } from 'react';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import { useModal } from '@/lib/use-modal';

/**
 * A modal question with a cancel and a (red) confirm button: opens on mount, focuses Cancel, gives
 * focus back to its opener when it goes, and shows the failed request's error in the dialog.
 */
export function ConfirmDialog({
  id,
  title,
  children,
  confirmLabel,
  pending,
  error,
  onConfirm,
  onClose,
  testId,
  confirmTestId = `${testId}-confirm`,
  tone = 'danger',
}: {
  id: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  pending: boolean;
  error: unknown;
  onConfirm: () => void;
  onClose: () => void;
  testId: string;
  confirmTestId?: string;
  /** `primary` for a dialog whose confirm is not destructive (saving settings). */
  tone?: 'danger' | 'primary';
}) {
  const { t } = useI18n();
  const cancel = useRef<HTMLButtonElement>(null);
  const dialog = useModal(cancel);
  return (
    <dialog
      ref={dialog}
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      className="m-auto max-h-[calc(100dvh-2rem)] w-[min(28rem,calc(100vw-2rem))] overflow-y-auto rounded-xl p-0 break-keep shadow-2xl backdrop:bg-slate-900/50"
      onCancel={(event) => {
        event.preventDefault();
        if (!pending) onClose();
      }}
      data-testid={testId}
    >
      <div className="p-6">
        <h2 id={`${id}-title`} className="text-lg font-bold">
          {title}
        </h2>
        <div id={`${id}-body`} className="mt-2 text-sm break-words text-slate-800">
          {children}
        </div>
        {!!error && (
          <p role="alert" className="mt-3 rounded bg-red-100 p-2 text-sm text-red-900" data-testid={`${testId}-error`}>
            {errorText(error, t)}
          </p>
        )}
        <div className="mt-6 flex flex-wrap justify-end gap-2">
          <button ref={cancel} type="button" className="btn btn-secondary" onClick={onClose} disabled={pending}>
            {t('cancel')}
          </button>
          <button type="button" className={tone === 'danger' ? 'btn btn-danger' : 'btn btn-primary'} onClick={onConfirm} disabled={pending} data-testid={confirmTestId}>
            {confirmLabel}
          </button>
        </div>
      </div>
    </dialog>
  );
}
