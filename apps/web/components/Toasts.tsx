'use client';

import Link from 'next/link';
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { useI18n } from '@/lib/i18n';

export interface Toast {
  id: number;
  title: string;
  message?: string;
  tone?: 'info' | 'warning' | 'danger' | 'success';
  link?: string;
  linkLabel?: string;
}

const Context = createContext<{ push: (toast: Omit<Toast, 'id'>) => void } | null>(null);

const tones = {
  info: 'border-blue-300 bg-white',
  success: 'border-green-400 bg-green-50',
  warning: 'border-orange-400 bg-orange-50',
  danger: 'border-red-500 bg-red-50',
};

export function ToastProvider({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((list) => list.filter((toast) => toast.id !== id)), []);
  const push = useCallback(
    (toast: Omit<Toast, 'id'>) => {
      const id = next.current++;
      setToasts((list) => [...list.slice(-3), { ...toast, id }]);
      window.setTimeout(() => dismiss(id), 10_000);
    },
    [dismiss],
  );
  const value = useMemo(() => ({ push }), [push]);
  return (
    <Context.Provider value={value}>
      {children}
      {/* At the top on phones, where they cover neither the composer nor a buy button; bottom right from sm up. */}
      <div aria-live="polite" data-testid="toasts" className="pointer-events-none fixed inset-x-2 top-2 z-50 flex flex-col items-end gap-2 sm:inset-x-auto sm:top-auto sm:right-4 sm:bottom-4">
        {toasts.map((toast) => (
          <div
            key={toast.id}
            role="status"
            data-testid="toast"
            className={`pointer-events-auto w-full max-w-sm rounded-lg border-l-4 p-4 shadow-lg ${tones[toast.tone ?? 'info']}`}
          >
            <div className="flex items-start gap-2">
              <div className="flex-1">
                <p className="font-semibold">{toast.title}</p>
                {toast.message && <p className="mt-1 text-sm text-slate-700">{toast.message}</p>}
                {toast.link && (
                  <Link href={toast.link} className="btn btn-primary mt-2 inline-flex text-sm" onClick={() => dismiss(toast.id)}>
                    {toast.linkLabel ?? toast.link}
                  </Link>
                )}
              </div>
              <button type="button" aria-label={t('close')} className="rounded px-2 text-lg leading-none text-slate-600 hover:bg-slate-200" onClick={() => dismiss(toast.id)}>
                ×
              </button>
            </div>
          </div>
        ))}
      </div>
    </Context.Provider>
  );
}

export function useToast() {
  const value = useContext(Context);
  if (!value) throw new Error('useToast outside ToastProvider');
  return value.push;
}
