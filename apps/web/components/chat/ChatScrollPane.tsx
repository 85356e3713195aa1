'use client';

import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useI18n } from '@/lib/i18n';

/** How close to the end still counts as reading at the bottom. */
const BOTTOM_SLACK = 48;

interface ChatScrollPaneProps {
  children: ReactNode;
  /** Changes whenever the messages do (a new array each time): new content arrived. */
  content: unknown;
  /** The open conversation: opening another starts at its end. */
  resetKey: string | null;
  /** Bumped when the reader sends: back to the end to see the question and its answer. */
  pin: number;
}

/**
 * The message pane: the only thing on the chat page that scrolls. New content keeps it at the end
 * only while the reader is there; a reader who scrolled up stays where they are and gets a
 * "new messages" pill instead. Long unbroken words and URLs wrap instead of widening the page.
 */
export function ChatScrollPane({ children, content, resetKey, pin }: ChatScrollPaneProps) {
  const { t } = useI18n();
  const pane = useRef<HTMLDivElement>(null);
  const inner = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const lastTop = useRef(0);
  const [pill, setPill] = useState(false);

  const toBottom = useCallback(() => {
    const element = pane.current;
    if (!element) return;
    atBottom.current = true;
    setPill(false);
    element.scrollTop = element.scrollHeight;
    lastTop.current = element.scrollTop;
  }, []);

  const onScroll = () => {
    const element = pane.current;
    if (!element) return;
    lastTop.current = element.scrollTop;
    atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight <= BOTTOM_SLACK;
    if (atBottom.current) setPill(false);
  };

  // Declared first, so that it runs before the content effect below in the same commit.
  useEffect(() => toBottom(), [resetKey, pin, toBottom]);

  // A passive effect of the parent runs after its children's: whatever a child scrolled, this decides.
  useEffect(() => {
    const element = pane.current;
    if (!element) return;
    if (atBottom.current) {
      element.scrollTop = element.scrollHeight;
      lastTop.current = element.scrollTop;
    } else {
      element.scrollTop = lastTop.current;
      if (element.scrollHeight - element.clientHeight > lastTop.current + BOTTOM_SLACK) setPill(true);
    }
  }, [content]);

  // The pane shrinking (the message box grows, a keyboard opens) or its content growing on its own
  // (an answer's Markdown or actions appearing) keeps a reader at the bottom there.
  useEffect(() => {
    const element = pane.current;
    const box = inner.current;
    if (!element || !box || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (!atBottom.current) return;
      element.scrollTop = element.scrollHeight;
      lastTop.current = element.scrollTop;
    });
    observer.observe(element);
    observer.observe(box);
    return () => observer.disconnect();
  }, []);

  return (
    <div className="relative min-h-0 flex-1">
      <div ref={pane} onScroll={onScroll} className="relative h-full overflow-x-hidden overflow-y-auto overscroll-contain [overflow-wrap:anywhere]" data-testid="message-pane">
        <div ref={inner} className="flex min-h-full flex-col">
          {children}
        </div>
      </div>
      {pill && (
        <button
          type="button"
          onClick={toBottom}
          className="absolute bottom-3 left-1/2 -translate-x-1/2 rounded-full bg-blue-700 px-4 py-1.5 text-sm font-semibold text-white shadow-lg hover:bg-blue-800"
          data-testid="new-messages"
        >
          {t('chatNewMessages')} ↓
        </button>
      )}
    </div>
  );
}
