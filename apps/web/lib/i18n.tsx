'use client';

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en } from '@/messages/en';
import { ko, type MessageKey } from '@/messages/ko';
import { getLang, storeLang } from './api';

export type Key = MessageKey;
export type Lang = 'ko' | 'en';

const dictionaries: Record<Lang, Record<Key, string>> = { ko, en };

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: (key: Key, vars?: Record<string, string | number>) => string;
  nf: (n: number) => string;
  df: (iso: string | null | undefined, withTime?: boolean) => string;
}

const Context = createContext<I18n | null>(null);

/** The language (Korean until the stored choice is read in the browser) with its messages and formats (money: lib/money.ts). */
export function I18nProvider({ children, onChange }: { children: ReactNode; onChange?: (lang: Lang) => void }) {
  const [lang, setLangState] = useState<Lang>('ko');
  useEffect(() => setLangState(getLang()), []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const setLang = useCallback(
    (next: Lang) => {
      storeLang(next);
      setLangState(next);
      onChange?.(next);
    },
    [onChange],
  );
  const value = useMemo<I18n>(() => {
    const dict = dictionaries[lang];
    const locale = lang === 'ko' ? 'ko-KR' : 'en-US';
    const number = new Intl.NumberFormat(locale);
    const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'Asia/Seoul' });
    const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Seoul' });
    return {
      lang,
      setLang,
      t: (key, vars) => {
        let text: string = dict[key] ?? key;
        if (vars) for (const [name, v] of Object.entries(vars)) text = text.replace(`{${name}}`, String(v));
        return text;
      },
      nf: (n) => number.format(n),
      df: (iso, withTime = false) => (iso ? (withTime ? dateTime : date).format(new Date(iso)) : '—'),
    };
  }, [lang, setLang]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(Context);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
