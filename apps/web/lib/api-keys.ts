/** API keys (API 키) in the web app, pure: a key's standing and where its API lives. */
import type { components } from '@consult-on/api-contract';
import type { Key } from './i18n';
import { parseWholeNumber } from './whole-number';

export type ApiKeyView = components['schemas']['ApiKeyView'];
export type CreatedApiKeyView = components['schemas']['CreatedApiKeyView'];

/** Revoked, expired, or in use — as the API decides it on each request. */
export function keyStatus(key: Pick<ApiKeyView, 'revokedAt' | 'expiresAt'>, now: Date): Key {
  if (key.revokedAt) return 'keyRevoked';
  if (key.expiresAt && new Date(key.expiresAt) <= now) return 'keyExpired';
  return 'keyActive';
}

/** The keys' own API, on the page's origin: what the OpenAI SDK takes as its base URL. */
export function openAiBaseUrl(origin: string): string {
  return `${origin.replace(/\/+$/, '')}/v1`;
}

/** The list of keys: one's own, or an organization's. */
export function keysPath(organizationId: string | null): string {
  return organizationId ? `/api/organizations/${organizationId}/api-keys` : '/api/api-keys';
}

export type ApiKeyUsageView = components['schemas']['ApiKeyUsageView'];
export type UpdateApiKeyDto = components['schemas']['UpdateApiKeyDto'];

/** The bounds the API takes for each of a key's limits. */
export const KEY_LIMITS = {
  monthlyBudgetTokens: { min: 0, max: 1_000_000_000_000 },
  turnsPerMinute: { min: 1, max: 10_000 },
  concurrentTurns: { min: 1, max: 100 },
} as const;

/** A key's limit as typed: the member limit's rule (`parseWholeNumber`) within the key's bounds. */
export const parseKeyLimit = parseWholeNumber;

/** A limit as the form shows it: empty for none. */
export function limitText(value: number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}
