import { describe, expect, it } from 'vitest';
import { formatMoney, minorUnitDigits } from './money';

describe('formatMoney', () => {
  it('writes won the Korean way in Korean and with the sign in English', () => {
    expect(formatMoney(5_000, 'KRW', 'ko')).toBe('5,000원');
    expect(formatMoney(1_234_567, 'KRW', 'ko')).toBe('1,234,567원');
    expect(formatMoney(5_000, 'KRW', 'en')).toBe('₩5,000');
  });

  it('reads USD amounts as cents', () => {
    expect(formatMoney(399, 'USD', 'en')).toBe('$3.99');
    expect(formatMoney(399, 'USD', 'ko')).toBe('$3.99');
    expect(formatMoney(5_999, 'USD', 'en')).toBe('$59.99');
    expect(formatMoney(8, 'USD', 'en')).toBe('$0.08');
    expect(formatMoney(100_000, 'USD', 'en')).toBe('$1,000.00');
  });

  it('takes the currency code in any case', () => {
    expect(formatMoney(399, 'usd', 'en')).toBe('$3.99');
    expect(formatMoney(0, 'krw', 'ko')).toBe('0원');
  });

  it('knows the minor unit of each currency', () => {
    expect(minorUnitDigits('KRW')).toBe(0);
    expect(minorUnitDigits('JPY')).toBe(0);
    expect(minorUnitDigits('USD')).toBe(2);
    expect(minorUnitDigits('EUR')).toBe(2);
  });

  it('never shows floating-point noise', () => {
    // 0.1 + 0.2 style sums: cents are integers, the division happens once at the end.
    expect(formatMoney(30, 'USD', 'en')).toBe('$0.30');
    expect(formatMoney(1_099, 'EUR', 'en')).toBe('€10.99');
  });
});
