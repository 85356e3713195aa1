'use client';

import { useEffect, useRef, type RefObject } from 'react';

/**
 * A modal <dialog> that opens on mount (focusing `initialFocus` when given) and, when it goes,
 * closes and gives focus back to whatever opened it, not to <body>.
 */
export function useModal(initialFocus?: RefObject<HTMLElement | null>): RefObject<HTMLDialogElement | null> {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    element?.showModal();
    initialFocus?.current?.focus();
    return () => {
      element?.close();
      if (opener?.isConnected) opener.focus();
    };
    // Once, on mount: the dialog is unmounted to close it.
  }, []);
  return dialog;
}
