import type { Locale } from '@consult-on/quota-policy';

/** Korean unless the client asks for English first. */
export function localeOf(acceptLanguage: string | string[] | undefined): Locale {
  const header = Array.isArray(acceptLanguage) ? acceptLanguage[0] : acceptLanguage;
  return header && /^\s*en\b/i.test(header) ? 'en' : 'ko';
}
