/** API keys (API 키) in the web app, pure: a key's standing and where its API lives. */
import type { components } from '@consult-on/api-contract';
import type { Key } from './i18n';

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
