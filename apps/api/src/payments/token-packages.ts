/** What a user can buy. Prices are whole Korean won. */
export interface TokenPackage {
  id: string;
  name: { ko: string; en: string };
  tokens: number;
  priceKrw: number;
}

export const TOKEN_PACKAGES: readonly TokenPackage[] = [
  { id: 'tokens-50k', name: { ko: '라이트 5만 토큰', en: 'Light 50K tokens' }, tokens: 50_000, priceKrw: 5_000 },
  { id: 'tokens-200k', name: { ko: '스탠다드 20만 토큰', en: 'Standard 200K tokens' }, tokens: 200_000, priceKrw: 18_000 },
  { id: 'tokens-1m', name: { ko: '프로 100만 토큰', en: 'Pro 1M tokens' }, tokens: 1_000_000, priceKrw: 80_000 },
];

export const TOKEN_PACKAGE_IDS = TOKEN_PACKAGES.map((item) => item.id);

export function findTokenPackage(id: string): TokenPackage | undefined {
  return TOKEN_PACKAGES.find((item) => item.id === id);
}
