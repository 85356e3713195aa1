'use client';

import { useCallback, useEffect, useState } from 'react';

/**
 * What the person typed in the message box, per conversation (`null`: the one not started yet),
 * kept in localStorage so that a reload, a failed turn or a switch to another conversation never
 * loses it. A turn that fails before it was saved puts its question back here (`keepQuestion`).
 */
const EVENT = 'consulton-draft';

export function draftKey(conversationId: string | null): string {
  return `consulton.draft.${conversationId ?? 'new'}`;
}

export function readDraft(conversationId: string | null): string {
  try {
    return window.localStorage.getItem(draftKey(conversationId)) ?? '';
  } catch {
    return '';
  }
}

function store(conversationId: string | null, text: string): void {
  try {
    if (text) window.localStorage.setItem(draftKey(conversationId), text);
    else window.localStorage.removeItem(draftKey(conversationId));
  } catch {
    /* storage full or disabled: the box still holds the text */
  }
}

/** Replaces a conversation's draft and tells the message box showing it. */
export function writeDraft(conversationId: string | null, text: string): void {
  store(conversationId, text);
  window.dispatchEvent(new CustomEvent<string>(EVENT, { detail: draftKey(conversationId) }));
}

/** Puts a question that was not saved back in the box, unless the person already typed something new there. */
export function keepQuestion(conversationId: string | null, question: string): void {
  const current = readDraft(conversationId).trim();
  if (!current || current === question.trim()) writeDraft(conversationId, question);
}

/** The draft of one conversation as state: switching conversations shows the other's draft. */
export function useDraft(conversationId: string | null): [string, (text: string) => void] {
  const [text, setText] = useState('');
  useEffect(() => {
    setText(readDraft(conversationId));
    const key = draftKey(conversationId);
    const onChange = (event: Event) => {
      if ((event as CustomEvent<string>).detail === key) setText(readDraft(conversationId));
    };
    window.addEventListener(EVENT, onChange);
    return () => window.removeEventListener(EVENT, onChange);
  }, [conversationId]);
  const update = useCallback(
    (next: string) => {
      setText(next);
      store(conversationId, next);
    },
    [conversationId],
  );
  return [text, update];
}
