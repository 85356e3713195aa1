import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { I18nProvider } from '@/lib/i18n';
import { ChatScrollPane } from './ChatScrollPane';

/** jsdom lays nothing out: give the pane a size, and a child that scrolls it to its end as MessageList does. */
function sized(pane: HTMLElement, scrollHeight: number, clientHeight: number) {
  Object.defineProperty(pane, 'scrollHeight', { configurable: true, get: () => scrollHeight });
  Object.defineProperty(pane, 'clientHeight', { configurable: true, get: () => clientHeight });
}

function Jumpy({ content }: { content: number }) {
  // What MessageList does on every change: scrolls its end into view (here: the pane to its end).
  return (
    <div
      ref={(element) => {
        const pane = element?.closest('[data-testid="message-pane"]') as HTMLElement | null;
        if (pane && content) pane.scrollTop = 10_000;
      }}
    >
      {content}
    </div>
  );
}

function view(content: number, pin = 0) {
  return (
    <I18nProvider>
      <ChatScrollPane content={content} resetKey="c1" pin={pin}>
        <Jumpy content={content} />
      </ChatScrollPane>
    </I18nProvider>
  );
}

describe('ChatScrollPane', () => {
  it('follows new content at the bottom; a reader scrolled up stays put and gets the pill, which takes them down', () => {
    const { rerender } = render(view(1));
    const pane = screen.getByTestId('message-pane');
    sized(pane, 1_000, 200);
    rerender(view(2));
    expect(pane.scrollTop).toBe(1_000);
    expect(screen.queryByTestId('new-messages')).toBeNull();

    pane.scrollTop = 100;
    fireEvent.scroll(pane);
    sized(pane, 1_200, 200);
    rerender(view(3));
    expect(pane.scrollTop).toBe(100);
    expect(screen.getByTestId('new-messages')).toHaveTextContent('새 메시지 보기');

    fireEvent.click(screen.getByTestId('new-messages'));
    expect(pane.scrollTop).toBe(1_200);
    expect(screen.queryByTestId('new-messages')).toBeNull();
  });

  it('sending takes the reader back to the end', () => {
    const { rerender } = render(view(1));
    const pane = screen.getByTestId('message-pane');
    sized(pane, 1_000, 200);
    pane.scrollTop = 0;
    fireEvent.scroll(pane);
    rerender(view(1, 1));
    expect(pane.scrollTop).toBe(1_000);
  });
});
