/**
 * What a user can buy: one-off token packages and monthly products (renewed each month with a
 * saved payment method). Prices are integer minor units per currency, VAT included; KRW has no
 * minor unit. A product without a price in the provider's currency is not offered there.
 */
export interface Product {
  id: string;
  kind: 'package' | 'subscription';
  /** Who buys it: a person for their own account, or an organization's owners and admins for its pool (bulk). */
  audience?: 'organization';
  name: { ko: string; en: string };
  /** Tokens granted per purchase (a package) or per paid month (a monthly product). */
  tokens: number;
  prices: Readonly<Record<string, number>>;
}

export const TOKEN_PACKAGES: readonly Product[] = [
  { id: 'tokens-50k', kind: 'package', name: { ko: '라이트 5만 토큰', en: 'Light 50K tokens' }, tokens: 50_000, prices: { KRW: 5_000, USD: 399 } },
  { id: 'tokens-200k', kind: 'package', name: { ko: '스탠다드 20만 토큰', en: 'Standard 200K tokens' }, tokens: 200_000, prices: { KRW: 18_000, USD: 1_399 } },
  { id: 'tokens-1m', kind: 'package', name: { ko: '프로 100만 토큰', en: 'Pro 1M tokens' }, tokens: 1_000_000, prices: { KRW: 80_000, USD: 5_999 } },
];

/** Bulk packages for an organization's pool, bought by its owners and admins: the same purchased tokens, never expiring, cheaper per token. */
export const ORGANIZATION_PACKAGES: readonly Product[] = [
  { id: 'org-tokens-1m', kind: 'package', audience: 'organization', name: { ko: '조직용 100만 토큰', en: 'Organization 1M tokens' }, tokens: 1_000_000, prices: { KRW: 75_000, USD: 5_599 } },
  { id: 'org-tokens-10m', kind: 'package', audience: 'organization', name: { ko: '조직용 1,000만 토큰', en: 'Organization 10M tokens' }, tokens: 10_000_000, prices: { KRW: 650_000, USD: 48_999 } },
];

/** Monthly products. Subscription plans (the next capability) will be sold through the same path; this one exercises renewals. */
export const MONTHLY_PRODUCTS: readonly Product[] = [
  { id: 'monthly-test', kind: 'subscription', name: { ko: '월간 30만 토큰 (테스트 상품)', en: 'Monthly 300K tokens (test product)' }, tokens: 300_000, prices: { KRW: 9_900, USD: 799 } },
];

/** A paid plan is sold as a monthly product under this id: `plan-plus`. Its payments grant no tokens; they keep the account on the plan. */
const PLAN_PRODUCT_PREFIX = 'plan-';

export function planProductId(planId: string): string {
  return `${PLAN_PRODUCT_PREFIX}${planId}`;
}

/** The plan a product sells, or null (a token package, another monthly product). */
export function planOfProduct(productId: string): string | null {
  return productId.startsWith(PLAN_PRODUCT_PREFIX) ? productId.slice(PLAN_PRODUCT_PREFIX.length) : null;
}

/** A paid plan as a monthly product: priced in KRW only (a provider in another currency does not sell it). */
export function planProduct(plan: { id: string; nameKo: string; nameEn: string; priceKrw: number }): Product {
  return {
    id: planProductId(plan.id),
    kind: 'subscription',
    name: planProductName(plan),
    tokens: 0,
    prices: { KRW: plan.priceKrw },
  };
}

/** What a plan's monthly product is called, in each language. */
export function planProductName(plan: { nameKo: string; nameEn: string }): Product['name'] {
  return { ko: `${plan.nameKo} 요금제 (월간)`, en: `${plan.nameEn} plan (monthly)` };
}

export const TOKEN_PACKAGE_IDS = TOKEN_PACKAGES.map((item) => item.id);
export const ORGANIZATION_PACKAGE_IDS = ORGANIZATION_PACKAGES.map((item) => item.id);
export const MONTHLY_PRODUCT_IDS = MONTHLY_PRODUCTS.map((item) => item.id);

export function findProduct(id: string): Product | undefined {
  return TOKEN_PACKAGES.find((item) => item.id === id) ?? MONTHLY_PRODUCTS.find((item) => item.id === id) ?? ORGANIZATION_PACKAGES.find((item) => item.id === id);
}

/** Won (or cents) for a number of an order's tokens, rounded down: the refund of `tokens` is amountFor(after) − amountFor(before), so partial refunds add up to the whole price exactly. */
export function amountForTokens(order: { amount: number; tokens: number }, tokens: number): number {
  if (tokens >= order.tokens) return order.amount;
  return Math.floor((order.amount * tokens) / order.tokens);
}

/** 공급가액 and 부가세 of a VAT-included price (10 %): the supply value rounded to the nearest unit, the rest is VAT. */
export function vatBreakdown(amount: number): { supplyAmount: number; vatAmount: number } {
  const supplyAmount = Math.round((amount * 10) / 11);
  return { supplyAmount, vatAmount: amount - supplyAmount };
}
