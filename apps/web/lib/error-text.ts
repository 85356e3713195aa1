import { ApiError } from './api';
import type { Key } from './i18n';

/** A request that got no HTTP answer at all: fetch rejects with a TypeError ("Failed to fetch"). */
export function isNetworkError(error: unknown): boolean {
  return !(error instanceof ApiError) && error instanceof TypeError;
}

/**
 * What to tell a person about a failed request: the API's own message (already in their
 * language), or ours for no answer at all — never the browser's "Failed to fetch".
 */
export function errorText(error: unknown, t: (key: Key) => string): string {
  if (error instanceof ApiError) return error.message;
  if (isNetworkError(error)) return t('networkError');
  return t('errorGeneric');
}
