import { act, fireEvent, render, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '@/lib/i18n';
import { AnswerActions, copyText } from './AnswerActions';

const wrapper = ({ children }: { children: ReactNode }) => <I18nProvider>{children}</I18nProvider>;

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('copyText', () => {
  it('uses the Clipboard API when there is one', async () => {
    const writeText = vi.fn(async () => undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    await expect(copyText('안녕')).resolves.toBe(true);
    expect(writeText).toHaveBeenCalledWith('안녕');
  });

  it('falls back to a hidden textarea when the Clipboard API is missing or refuses', async () => {
    const copied: string[] = [];
    const execCommand = vi.fn((command: string) => {
      const area = document.activeElement as HTMLTextAreaElement;
      copied.push(`${command}:${area.value.slice(area.selectionStart, area.selectionEnd)}`);
      return true;
    });
    const button = document.body.appendChild(document.createElement('button'));
    button.focus();
    Object.defineProperty(document, 'execCommand', { value: execCommand, configurable: true });
    vi.stubGlobal('navigator', { ...navigator, clipboard: undefined });
    await expect(copyText('plain http')).resolves.toBe(true);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText: async () => Promise.reject(new Error('denied')) } });
    await expect(copyText('denied first')).resolves.toBe(true);
    expect(copied).toEqual(['copy:plain http', 'copy:denied first']);
    expect(document.querySelector('textarea')).toBeNull();
    expect(button).toHaveFocus();
    button.remove();
  });
});

describe('AnswerActions', () => {
  it('says when copying failed, then goes back to its label', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText: async () => Promise.reject(new Error('denied')) } });
    Object.defineProperty(document, 'execCommand', { value: () => false, configurable: true });
    render(<AnswerActions text="답변" />, { wrapper });
    const button = screen.getByTestId('copy-answer');
    await act(async () => fireEvent.click(button));
    expect(button).toHaveTextContent('복사하지 못했습니다');
    act(() => vi.advanceTimersByTime(2000));
    expect(button).toHaveTextContent('복사');
    expect(screen.queryByTestId('regenerate-answer')).toBeNull();
  });

  it('regenerates only when asked to, and not while disabled', () => {
    const onRegenerate = vi.fn();
    const { rerender } = render(<AnswerActions text="답변" onRegenerate={onRegenerate} disabled />, { wrapper });
    expect(screen.getByTestId('regenerate-answer')).toBeDisabled();
    rerender(<AnswerActions text="답변" onRegenerate={onRegenerate} />);
    fireEvent.click(screen.getByTestId('regenerate-answer'));
    expect(onRegenerate).toHaveBeenCalledOnce();
  });
});
