'use client';

import { useEffect, useRef, type ReactNode } from 'react';
import { useI18n } from '@/lib/i18n';

/**
 * The conversation list: a column beside the chat from md up, a drawer over it on small screens
 * (opened by the chat's "대화 목록" button; Escape, the backdrop or the close button shut it).
 * The panel inside fills it (`drawerPanelClass`) and scrolls on its own.
 */
/** Classes for the panel inside the drawer (ConversationList's `className`): fill the drawer's height and scroll. */
export const drawerPanelClass = 'card flex min-h-0 min-w-0 flex-1 flex-col overflow-y-auto p-3!';

export function ConversationDrawer({ open, onClose, children }: { open: boolean; onClose: () => void; children: ReactNode }) {
  const { t } = useI18n();
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    panel.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, onClose]);
  return (
    <>
      {open && <div className="fixed inset-0 z-40 bg-slate-900/40 md:hidden" onClick={onClose} aria-hidden data-testid="drawer-backdrop" />}
      <div
        ref={panel}
        id="conversation-drawer"
        tabIndex={-1}
        aria-label={t('conversations')}
        data-testid="conversation-drawer"
        data-open={open}
        className={`fixed inset-y-0 left-0 z-50 flex w-[min(20rem,85vw)] min-w-0 flex-col bg-white p-2 shadow-xl transition-transform duration-200 outline-none md:visible md:relative md:z-auto md:w-auto md:translate-none md:bg-transparent md:p-0 md:shadow-none ${open ? 'visible translate-none' : 'invisible -translate-x-full'}`}
      >
        <div className="mb-2 flex justify-end md:hidden">
          <button type="button" className="rounded-lg px-3 py-1 text-sm font-medium text-slate-700 hover:bg-slate-100" onClick={onClose} data-testid="close-conversations">
            {t('chatCloseConversations')}
          </button>
        </div>
        {children}
      </div>
    </>
  );
}
