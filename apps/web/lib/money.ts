'use client';

import { useMemo } from 'react';
import { useI18n, type Lang } from './i18n';

const formatters = new Map<string, Intl.NumberFormat>();

function currencyFormat(lang: Lang, currency: string): Intl.NumberFormat {
  const key = `${lang}:${currency}`;
  let format = formatters.get(key);
  if (!format) {
    // narrowSymbol: '$3.99' rather than Korean's 'US$3.99'.
    format = new Intl.NumberFormat(lang === 'ko' ? 'ko-KR' : 'en-US', { style: 'currency', currency, currencyDisplay: 'narrowSymbol' });
    formatters.set(key, format);
  }
  return format;
}

/** Digits after the decimal point of a currency's minor unit: KRW 0, USD 2 (ISO 4217, as Intl knows it). */
export function minorUnitDigits(currency: string): number {
  return currencyFormat('en', currency.toUpperCase()).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * An amount in integer minor units of `currency`, as a person reads it: won in Korean as
 * '5,000원', in English as '₩5,000'; US cents 399 as '$3.99' in either language.
 */
export function formatMoney(amountMinor: number, currency: string, lang: Lang): string {
  const code = currency.toUpperCase();
  const major = amountMinor / 10 ** minorUnitDigits(code);
  if (code === 'KRW' && lang === 'ko') return `${new Intl.NumberFormat('ko-KR').format(major)}원`;
  return currencyFormat(lang, code).format(major);
}

/** `formatMoney` in the page's language. */
export function useMoney(): (amountMinor: number, currency: string) => string {
  const { lang } = useI18n();
  return useMemo(() => (amountMinor: number, currency: string) => formatMoney(amountMinor, currency, lang), [lang]);
}
